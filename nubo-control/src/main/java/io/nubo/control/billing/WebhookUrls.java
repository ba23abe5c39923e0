package io.nubo.control.billing;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Webhook URLs: what a tenant may give (an absolute http or https URL with a host), and the
 * addresses a call may not reach unless the installation allows it (loopback, private, link-local:
 * a tenant's webhook must not become a way into the hoster's own network). A URL may carry a token,
 * so errors show only its scheme and host. Stateless.
 */
final class WebhookUrls {
    static final int MAX_LENGTH = 2048;

    private WebhookUrls() {
    }

    /** Checks a URL a caller gave; {@code InvalidParameterValue} unless it is an absolute http(s) URL with a host. */
    static URI check(String url) {
        if (url.isEmpty() || url.length() > MAX_LENGTH) {
            throw invalid("A webhook URL has 1 to %d characters", MAX_LENGTH);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid("The webhook URL is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid("A webhook URL must be http or https, not '%s'", scheme.isEmpty() ? "(none)" : scheme.length() > 16
                    ? scheme.substring(0, 16) + "..." : scheme);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid("The webhook URL has no host");
        }
        if (uri.getRawFragment() != null) {
            throw invalid("A webhook URL has no fragment (#...)");
        }
        return uri;
    }

    /** The URL without path, query or user info: safe to show in errors and logs. */
    static String redact(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + "/...";
    }

    /** Whether a call must not go to {@code a} when private addresses are not allowed. */
    static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            // 0/8, carrier-grade NAT 100.64/10 and the benchmarking 198.18/15.
            return first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 198 && (second == 18 || second == 19));
        }
        return a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
    }

    private static NuboException invalid(String format, Object... args) {
        return NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, format, args);
    }
}
