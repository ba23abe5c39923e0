package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The portal in a real browser: Debian's chromium driven by playwright-core (the script is
 * {@code nubo-portal/e2e/portal.e2e.mjs}), against a real {@code nubo up} with the QEMU driver.
 * It signs in with the password the first start printed, launches a VM through the wizard,
 * watches it go pending to running live, types into its console and reads the output off the
 * screen (tesseract), checks the security rules, stops and terminates it, and saves the
 * screenshots to docs/screenshots/.
 */
class PortalBrowserTest {
    static ServerProcess server;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("nubo-portal-e2e");
        server = new ServerProcess(work.resolve("data")).start();
        assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}").status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            for (JsonNode i : server.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                server.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
            server.close();
            // The tenants' VMs, which the admin's key cannot terminate, would outlive the test.
            server.killVmsLeftBehind();
        }
    }

    @Test
    void aTenantLaunchesWatchesTypesIntoAndEndsAVmInTheBrowserAndNobodyElseCanTouchIt() throws Exception {
        Path passwordFile = server.dataDir.resolve("portal-password");
        assertThat(Files.getPosixFilePermissions(passwordFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Map<String, String> admin = keyValues(passwordFile);
        assertThat(server.output()).contains(admin.get("password"));

        String other = tenantWithUser("portal-b", "b@example.com", "b-long-password-1");
        assertThat(other).isNotEmpty();
        tenantWithUser("portal-c", "victim@example.com", "victim-long-password");

        Path repo = ServerProcess.repoRoot();
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/portal.e2e.mjs").directory(repo.resolve("nubo-portal").toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("playwright.out").toFile());
        Map<String, String> env = pb.environment();
        env.put("NUBO_URL", server.url());
        env.put("ADMIN_EMAIL", admin.get("email"));
        env.put("ADMIN_PASSWORD", admin.get("password"));
        env.put("OTHER_EMAIL", "b@example.com");
        env.put("OTHER_PASSWORD", "b-long-password-1");
        env.put("VICTIM_EMAIL", "victim@example.com");
        env.put("VICTIM_PASSWORD", "victim-long-password");
        env.put("INSTANCE_TYPE", "e2e.tiny");
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
        assertThat(out).contains("portal e2e: all passed");
    }

    private static String tenantWithUser(String account, String email, String password) throws Exception {
        ServerProcess.Reply a = server.call("POST", "/accounts", "{\"name\":\"" + account + "\"}");
        assertThat(a.status()).isEqualTo(201);
        String id = a.json().path("account").path("accountId").asText();
        ServerProcess.Reply u = server.call("POST", "/accounts/" + id + "/users",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"role\":\"admin\"}");
        assertThat(u.status()).as(u.json().toString()).isEqualTo(201);
        return id;
    }

    private static Map<String, String> keyValues(Path file) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        assertThat(out.keySet()).containsAll(List.of("email", "password"));
        return out;
    }
}
