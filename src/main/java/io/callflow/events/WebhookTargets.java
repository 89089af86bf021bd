package io.callflow.events;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Which URLs a webhook may point at: absolute http(s) without user info or fragment and, unless private addresses are
 * allowed, a host that resolves to public addresses only. The check runs when a subscription is saved and again before
 * each request, because a name can be re-pointed at an inside address after it was accepted (docs/security.md, SSRF).
 */
final class WebhookTargets {

    static final int MAX_URL_LENGTH = 2000;

    private final boolean allowPrivateAddresses;

    WebhookTargets(boolean allowPrivateAddresses) {
        this.allowPrivateAddresses = allowPrivateAddresses;
    }

    /** The URL as a URI, or {@link WebhookRefused} saying what is wrong with it. */
    URI check(String url) {
        if (url == null || url.isBlank()) {
            throw WebhookRefused.invalid("'url' is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw WebhookRefused.invalid("'url' must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw WebhookRefused.invalid("'url' is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw WebhookRefused.invalid("'url' must be an absolute http or https URL, not '" + url + "'");
        }
        if (uri.getHost() == null) {
            throw WebhookRefused.invalid("'url' must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw WebhookRefused.invalid("'url' must not carry user info (user:password@); sign with the secret");
        }
        if (uri.getRawFragment() != null) {
            throw WebhookRefused.invalid("'url' must not have a fragment (#...)");
        }
        requirePermittedHost(uri);
        return uri;
    }

    /** Refuses a host that resolves to a loopback, private, link-local or otherwise inside address, when so configured. */
    void requirePermittedHost(URI uri) {
        if (allowPrivateAddresses) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw WebhookRefused.invalid("'url' host '" + uri.getHost() + "' cannot be resolved");
        }
        for (InetAddress address : addresses) {
            if (isInside(address)) {
                throw WebhookRefused.invalid("'url' host '" + uri.getHost() + "' resolves to " + address.getHostAddress()
                        + ", a private or loopback address (callflow.webhooks.allow-private-addresses is false)");
            }
        }
    }

    private static boolean isInside(InetAddress address) {
        byte[] bytes = address.getAddress();
        // fc00::/7 (unique local, RFC 4193) and 100.64.0.0/10 (carrier-grade NAT, RFC 6598) are not covered by the
        // JDK's isSiteLocalAddress.
        boolean uniqueLocal = bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
        boolean sharedSpace = bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
        return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress() || uniqueLocal || sharedSpace;
    }
}
