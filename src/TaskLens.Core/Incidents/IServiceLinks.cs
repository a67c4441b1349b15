namespace TaskLens.Core.Incidents;

/// <summary>Which services are linked by spans (one calls the other), per tenant: correlation's topology.</summary>
public interface IServiceLinks
{
    bool Linked(string tenant, string serviceA, string serviceB);
}
