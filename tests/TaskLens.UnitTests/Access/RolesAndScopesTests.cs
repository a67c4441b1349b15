using System.Security.Claims;
using TaskLens.Core.Access;

namespace TaskLens.UnitTests.Access;

public sealed class RolesAndScopesTests
{
    [Theory]
    [InlineData(Role.Viewer, AccessRights.Read)]
    [InlineData(Role.Responder, AccessRights.Read | AccessRights.Triage)]
    [InlineData(Role.Admin, AccessRights.Read | AccessRights.Triage | AccessRights.Admin)]
    public void RightsOf_EachRole_GrantsItsRightsOnly(Role role, AccessRights rights) => Assert.Equal(rights, Roles.RightsOf(role));

    [Theory]
    [InlineData(KeyKind.ApiRead, AccessRights.Read)]
    [InlineData(KeyKind.ApiTriage, AccessRights.Read | AccessRights.Triage)]
    [InlineData(KeyKind.Ingest, AccessRights.None)]
    [InlineData(KeyKind.AlertToken, AccessRights.None)]
    public void ApiRightsOf_EachKind_OnlyApiKeysOpenTheApi(KeyKind kind, AccessRights rights) => Assert.Equal(rights, KeyKinds.ApiRightsOf(kind));

    [Theory]
    [InlineData("viewer", true, Role.Viewer)]
    [InlineData(" Admin ", true, Role.Admin)]
    [InlineData("responder", true, Role.Responder)]
    [InlineData("1", false, Role.Viewer)]
    [InlineData("root", false, Role.Viewer)]
    [InlineData(null, false, Role.Viewer)]
    public void TryParse_RoleNames_AcceptsNamesOnly(string? text, bool ok, Role role) => Assert.Equal((ok, role), (Roles.TryParse(text, out var parsed), parsed));

    [Fact]
    public void KeyKinds_NamesRoundTrip()
    {
        foreach (var kind in KeyKinds.All)
        {
            Assert.True(KeyKinds.TryParse(KeyKinds.Name(kind), out var parsed));
            Assert.Equal(kind, parsed);
        }

        Assert.False(KeyKinds.TryParse("root", out _));
    }

    [Fact]
    public void ForUser_Viewer_ReadsItsTenantAndCannotTriage()
    {
        var user = new AppUser("usr_1", "vera", "acme", Role.Viewer, "h", DateTimeOffset.UnixEpoch, "test", null, 1);

        var principal = AccessPrincipal.ForUser(user, AccessSchemes.Cookie);

        Assert.Equal(("vera", "acme", AccessPrincipal.ViaPassword), (principal.Identity!.Name, AccessPrincipal.TenantOf(principal), AccessPrincipal.ViaOf(principal)));
        Assert.True(AccessPrincipal.Has(principal, AccessRights.Read));
        Assert.False(AccessPrincipal.Has(principal, AccessRights.Triage));
        Assert.True(principal.IsInRole("viewer"));
    }

    [Fact]
    public void ForKey_TriageKey_ActsAsItsCreatorNamedWithTheKey()
    {
        var key = new AccessKey("key_1", "globex", KeyKind.ApiTriage, "ci-bot", "D", "tlk_abcd", DateTimeOffset.UnixEpoch, "ana", null, null);

        var principal = AccessPrincipal.ForKey(key, AccessSchemes.ApiKey);

        Assert.Equal("ana (key ci-bot)", principal.Identity!.Name);
        Assert.Equal("globex", AccessPrincipal.TenantOf(principal));
        Assert.True(AccessPrincipal.Has(principal, AccessRights.Read | AccessRights.Triage));
        Assert.False(AccessPrincipal.Has(principal, AccessRights.Admin));
    }

    [Fact]
    public void RightsOf_PrincipalFromElsewhere_HasNothing()
    {
        var stranger = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "x"), new Claim(AccessPrincipal.RightsClaim, "not a number")], "other"));

        Assert.Equal(AccessRights.None, AccessPrincipal.RightsOf(stranger));
        Assert.Null(AccessPrincipal.TenantOf(stranger));
        Assert.Equal("", new PrincipalActor(stranger).Tenant);
    }

    [Fact]
    public void OpenMode_IsTheLocalAdminOfTheDefaultTenant()
    {
        var actor = new PrincipalActor(AccessPrincipal.OpenMode(AccessSchemes.OpenMode));

        Assert.Equal((OpenModeActor.UserName, "default", AccessRights.All), (actor.Name, actor.Tenant, actor.Rights));
    }

    [Fact]
    public void Validate_FirstAdminHalfSetAndShortPassword_ListsEach()
    {
        var errors = new AccessOptions { FirstAdmin = new() { Name = "ana" } }.Validate().ToList();
        Assert.Single(errors);
        Assert.Contains("both Name and Password", errors[0], StringComparison.Ordinal);

        errors = new AccessOptions { FirstAdmin = new() { Name = "a b", Password = "short" }, KeyRefresh = TimeSpan.Zero }.Validate().ToList();
        Assert.Equal(3, errors.Count);
    }
}
