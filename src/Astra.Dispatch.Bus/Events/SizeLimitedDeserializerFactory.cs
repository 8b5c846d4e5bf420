using System.Net.Mime;
using Astra.Dispatch.Matching;
using MassTransit;

namespace Astra.Dispatch.Bus.Events;

/// <summary>
/// An event deserializer that refuses a body larger than <see cref="EventValidator.MaxEventBytes"/> from its length,
/// before the wrapped deserializer reads it: a huge or deeply nested body is dead-lettered to
/// <c>astra.dispatch.events_error</c> with the reason and never parsed. (A receive filter would run before MassTransit's
/// error handling and have the broker redeliver the message forever; the deserializer runs inside it.)
/// </summary>
internal sealed class SizeLimitedDeserializerFactory(ISerializerFactory inner) : ISerializerFactory
{
    public ContentType ContentType => inner.ContentType;

    public IMessageSerializer CreateSerializer() => inner.CreateSerializer();

    public IMessageDeserializer CreateDeserializer() => new Deserializer(inner.CreateDeserializer());

    private sealed class Deserializer(IMessageDeserializer inner) : IMessageDeserializer
    {
        public ContentType ContentType => inner.ContentType;

        public void Probe(ProbeContext context) => inner.Probe(context);

        public ConsumeContext Deserialize(ReceiveContext receiveContext)
        {
            if (receiveContext.Body.Length is { } length && length > EventValidator.MaxEventBytes)
                throw new InvalidEventException($"event is {length} bytes; the limit is {EventValidator.MaxEventBytes}");
            return inner.Deserialize(receiveContext);
        }

        public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
            inner.Deserialize(body, headers, destinationAddress);

        public MessageBody GetMessageBody(string text) => inner.GetMessageBody(text);
    }
}
