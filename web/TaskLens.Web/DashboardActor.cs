using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using TaskLens.Core.Access;

namespace TaskLens.Web;

/// <summary>
/// The signed-in user (or open mode's local user) of this page or circuit, read from Blazor's authentication state,
/// which the server sets from the request's principal when a page renders and when a circuit starts; outside Blazor
/// (an API request's scope) from the request itself.
/// </summary>
internal sealed class DashboardActor(AuthenticationStateProvider authentication, IHttpContextAccessor http) : ICurrentActor
{
    private static readonly ClaimsPrincipal Nobody = new(new ClaimsIdentity());

    public string Name => new PrincipalActor(Principal).Name;

    public string Tenant => new PrincipalActor(Principal).Tenant;

    public AccessRights Rights => new PrincipalActor(Principal).Rights;

    private ClaimsPrincipal Principal
    {
        get
        {
            try
            {
                var state = authentication.GetAuthenticationStateAsync();

                // Set from the request or circuit before any component runs, so it is complete here.
                return state.IsCompletedSuccessfully ? state.Result.User : Nobody;
            }
            catch (InvalidOperationException)
            {
                // Not a Blazor scope: no authentication state was set.
                return http.HttpContext?.User ?? Nobody;
            }
        }
    }
}
