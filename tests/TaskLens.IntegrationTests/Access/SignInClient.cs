using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Access;

/// <summary>A browser-like HTTP client: signs in through the sign-in page's form (antiforgery token and cookie included) and keeps the cookie.</summary>
internal static partial class SignInClient
{
    public static async Task<HttpClient> SignInAsync(TaskLensHost host, string name, string password)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{host.ApiPort}"),
        };
        var page = await client.GetStringAsync(new Uri("/signin", UriKind.Relative));
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = token,
            ["Input.Name"] = name,
            ["Input.Password"] = password,
        });
        using var answer = await client.PostAsync(new Uri("/signin", UriKind.Relative), form);
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"sign-in of {name} answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>The antiforgery header a signed-in browser's API writes carry, from <c>GET /api/session</c>.</summary>
    public static async Task<(string Header, string Token)> AntiforgeryAsync(HttpClient client)
    {
        using var session = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/session", UriKind.Relative)));
        var antiforgery = session.RootElement.GetProperty("antiforgery");
        return (antiforgery.GetProperty("header").GetString()!, antiforgery.GetProperty("token").GetString()!);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
