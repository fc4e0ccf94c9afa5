namespace Mirrord.Incoming.Filtering;

/// <summary>Receives request headers one value at a time, without copying them into a collection.</summary>
public interface IHeaderVisitor
{
    /// <summary>Returns false when it has seen enough.</summary>
    bool Visit(string name, string value);
}
