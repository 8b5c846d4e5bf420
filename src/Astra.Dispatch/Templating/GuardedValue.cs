using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>
/// What an output tag writes when its value is anything but a plain string, number or boolean: the value's text,
/// passed through the render's encoder whatever Fluid would have done (raw strings, arrays, dates), unless it is a
/// <see cref="TrustedFragments">trusted fragment</see> for this encoder.
/// </summary>
internal sealed class GuardedValue(FluidValue inner) : FluidValue
{
    public override FluidValues Type => inner.Type;

    public override ValueTask WriteToAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        if (TrustedFragments.IsTrusted(inner, encoder))
        {
            output.Write(inner.ToStringValue(context));
            return default;
        }
        if (encoder is NullEncoder)
            return inner.WriteToAsync(output, encoder, context);
        // The value writes its text unencoded (NullEncoder) into an output that encodes every character it receives,
        // so nothing it writes can bypass the encoder, and large values still stream into the size-limited output.
        return inner.WriteToAsync(new EncodingFluidOutput(output, encoder), NullEncoder.Default, context);
    }

    public override bool Equals(FluidValue other) => inner.Equals(other);

    public override bool ToBooleanValue(TemplateContext context) => inner.ToBooleanValue(context);

    public override decimal ToNumberValue(TemplateContext context) => inner.ToNumberValue(context);

    public override string ToStringValue(TemplateContext context) => inner.ToStringValue(context);

    public override object ToObjectValue(TemplateContext context) => inner.ToObjectValue(context);

    public override bool IsNil() => inner.IsNil();

    public override bool Equals(object? obj) => obj is GuardedValue other ? inner.Equals(other) : inner.Equals(obj);

    public override int GetHashCode() => inner.GetHashCode();
}
