using System.Text.Encodings.Web;
using Fluid;

namespace Astra.Dispatch.Templating;

/// <summary>
/// A template that knows its rule and field, so that any failure while it renders is a <see cref="RenderException"/>
/// naming them. Conditions are evaluated by the event consumer, which turns a RenderException into a permanent
/// failure of that rule's delivery and goes on with the event's other rules.
/// </summary>
internal sealed class FieldTemplate(string ruleId, string field, IFluidTemplate inner) : IFluidTemplate
{
    public async ValueTask RenderAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        try
        {
            await inner.RenderAsync(output, encoder, context);
        }
        catch (Exception ex) when (ex is not (RenderException or OutOfMemoryException))
        {
            throw new RenderException(ruleId, field, RenderFailure.Describe(ex, context));
        }
    }
}
