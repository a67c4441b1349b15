using TaskLens.Server;

namespace TaskLens.UnitTests.Server;

public sealed class ServerOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValidAndLoopback()
    {
        var options = new ServerOptions();

        Assert.Empty(options.Validate());
        Assert.Equal("localhost", options.ListenAddress);
    }

    [Fact]
    public void Validate_ClashingPortsAndBadAddress_ListsEach()
    {
        var errors = new ServerOptions { ListenAddress = "not-an-ip", ApiPort = 4317, OtlpHttpPort = 0 }.Validate();

        Assert.Equal(3, errors.Count);
    }
}
