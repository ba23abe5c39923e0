package io.nubo.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The portal's volume, billing, instance-settings, partner and operator pages in a real browser
 * (Debian's chromium driven by playwright-core; the script is {@code nubo-portal/e2e/pages.e2e.mjs})
 * against a real {@code nubo up} with a real QEMU VM, then every main page at phone width and an
 * axe-core accessibility check. It saves screenshots to docs/screenshots/.
 */
class PortalPagesBrowserTest {
    static ServerProcess server;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("nubo-pages-e2e");
        server = new ServerProcess(work.resolve("data")).start();
        assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}").status())
                .isEqualTo(200);
        assertThat(server.call("PUT", "/instance-types/e2e.small", "{\"vcpus\":1,\"memoryMib\":192,\"priceMicrosPerHour\":2000}").status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            for (JsonNode i : server.call("GET", "/operator/instances", null).json().path("instances")) {
                server.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
            server.close();
            // The tenants' VMs, which the admin's key cannot terminate, would outlive the test.
            server.killVmsLeftBehind();
        }
    }

    @Test
    void volumesBillingPartnersAndTheOperatorsPagesWorkInABrowserAtDesktopAndPhoneWidth() throws Exception {
        Map<String, String> admin = new HashMap<>();
        for (String line : Files.readAllLines(server.dataDir.resolve("portal-password"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                admin.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        String tenant = accountWithUser("pages-tenant", "tenant@example.com", "tenant-long-password");
        String partner = accountWithUser("pages-partner", "partner@example.com", "partner-long-password");
        assertThat(server.call("POST", "/accounts/" + partner + "/partner", "{}").status()).isEqualTo(200);

        Path repo = ServerProcess.repoRoot();
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/pages.e2e.mjs").directory(repo.resolve("nubo-portal").toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("playwright.out").toFile());
        Map<String, String> env = pb.environment();
        env.put("NUBO_URL", server.url());
        env.put("ADMIN_EMAIL", admin.get("email"));
        env.put("ADMIN_PASSWORD", admin.get("password"));
        env.put("TENANT_EMAIL", "tenant@example.com");
        env.put("TENANT_PASSWORD", "tenant-long-password");
        env.put("TENANT_ACCOUNT", tenant);
        env.put("PARTNER_EMAIL", "partner@example.com");
        env.put("PARTNER_PASSWORD", "partner-long-password");
        env.put("INSTANCE_TYPE", "e2e.tiny");
        env.put("BIGGER_INSTANCE_TYPE", "e2e.small");
        env.put("SCREENSHOTS", repo.resolve("docs/screenshots").toString());
        env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Process p = pb.start();
        boolean finished = p.waitFor(Duration.ofMinutes(15).toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(work.resolve("playwright.out"));
        System.out.println(out);
        assertThat(finished).as("the browser test finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("portal pages e2e: all passed");
    }

    private static String accountWithUser(String account, String email, String password) throws Exception {
        ServerProcess.Reply a = server.call("POST", "/accounts", "{\"name\":\"" + account + "\"}");
        assertThat(a.status()).isEqualTo(201);
        String id = a.json().path("account").path("accountId").asText();
        ServerProcess.Reply u = server.call("POST", "/accounts/" + id + "/users",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"role\":\"admin\"}");
        assertThat(u.status()).as(u.json().toString()).isEqualTo(201);
        return id;
    }
}
