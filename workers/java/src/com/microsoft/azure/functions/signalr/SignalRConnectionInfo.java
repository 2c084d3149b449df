// Switchboard's Java worker library: what the signalRConnectionInfo input binding gives (the service
// URL a client connects to and its access token).
package com.microsoft.azure.functions.signalr;

public class SignalRConnectionInfo {
    public String url;
    public String accessToken;
}
