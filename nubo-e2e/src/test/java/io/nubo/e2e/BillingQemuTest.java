package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, acceptance 3: a tenant's real VM on QEMU runs for about two minutes and is stopped, and
 * its volume is kept. The tenant's draft invoice bills the compute seconds at the type's price and
 * stops counting them once the VM is stopped, while the volume goes on accruing; the invoice's CSV
 * says what its JSON says.
 */
class BillingQemuTest {
    /** One US dollar a second, so that every second shows in the amount (cents). */
    static final long MICROS_PER_HOUR = 3_600L * 1_000_000;
    static final ObjectMapper JSON = new ObjectMapper();
    static ServerProcess server;
    static Tenant tenant;

    @BeforeAll
    static void start() throws Exception {
        server = new ServerProcess(Files.createTempDirectory("nubo-billing-e2e").resolve("data")).start();
        assertThat(server.call("PUT", "/instance-types/e2e.billed", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":" + MICROS_PER_HOUR + "}")
                .status()).isEqualTo(200);
        ServerProcess.Reply account = server.call("POST", "/accounts", "{\"name\":\"billed-tenant\"}");
        assertThat(account.status()).as(account.json().toString()).isEqualTo(201);
        JsonNode key = account.json().path("accessKey");
        tenant = new Tenant(server.url(), key.path("accessKeyId").asText(), key.path("secretAccessKey").asText());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            for (JsonNode i : tenant.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                tenant.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
            try {
                server.awaitNoVms();
            } finally {
                // Stopped even when a VM outstays the wait: a server left running outlives the build.
                server.close();
            }
        }
    }

    @Test
    void aStoppedVmStopsAccruingWhileItsVolumeGoesOn() throws Exception {
        String image = server.call("GET", "/images", null).json().get(0).path("imageId").asText();
        Reply launched = tenant.call("POST", "/instances", "{\"imageId\":\"" + image + "\",\"instanceType\":\"e2e.billed\"}");
        assertThat(launched.status()).as(launched.body()).isEqualTo(201);
        String vm = launched.json().path("instances").get(0).path("instanceId").asText();
        await().atMost(Duration.ofMinutes(3)).until(() -> state(vm).equals("running"));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> tenant.call("GET", "/instances/" + vm + "/console", null).json().path("output").asText()
                        .contains("NUBO-GUEST-READY " + vm));

        Reply created = tenant.call("POST", "/volumes", "{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String volume = created.json().path("volumeId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> tenant.call("GET", "/volumes/" + volume, null).json().path("state").asText()
                .equals("available"));
        Reply attached = tenant.call("POST", "/volumes/" + volume + "/attach", "{\"instanceId\":\"" + vm + "\",\"device\":\"/dev/sdf\"}");
        assertThat(attached.status()).as(attached.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> tenant.call("GET", "/volumes/" + volume, null).json().path("state").asText()
                .equals("in-use"));

        // The VM runs until the draft bills 70 s of it, past EC2's one-minute minimum per start, so that what is
        // billed is measured time: the draft counts an open interval up to now.
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() -> quantity(draft(), vm) >= 70);
        Reply stopped = tenant.call("POST", "/instances/" + vm + "/stop", null);
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(2)).until(() -> state(vm).equals("stopped"));

        JsonNode afterStop = draft();
        JsonNode compute = line(afterStop, vm);
        long seconds = compute.path("quantity").asLong();
        assertThat(seconds).isGreaterThanOrEqualTo(70);
        assertThat(compute.path("usageType").asText()).isEqualTo("instance");
        assertThat(compute.path("sku").asText()).isEqualTo("e2e.billed");
        assertThat(compute.path("unit").asText()).isEqualTo("second");
        assertThat(compute.path("unitPriceMicros").asLong()).isEqualTo(MICROS_PER_HOUR);
        assertThat(compute.path("amountMinor").asLong()).isEqualTo(seconds * 100);
        long volumeSoFar = quantity(afterStop, volume);
        assertThat(line(afterStop, volume).path("usageType").asText()).isEqualTo("volume");

        // The volume still accrues; the stopped VM's seconds do not grow meanwhile.
        JsonNode later = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(BillingQemuTest::draft, d -> quantity(d, volume) > volumeSoFar);
        assertThat(quantity(later, vm)).isEqualTo(seconds);
        assertThat(later.path("totalMinor").asLong()).isGreaterThanOrEqualTo(seconds * 100);
        assertThat(later.path("forecastMinor").asLong()).isGreaterThanOrEqualTo(later.path("totalMinor").asLong());

        // With nothing left accruing, the invoice holds still, and its CSV can be compared with its JSON.
        assertThat(tenant.call("POST", "/instances/" + vm + "/terminate", null).status()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(2)).until(() -> tenant.call("GET", "/volumes/" + volume, null).json().path("state").asText()
                .equals("available"));
        assertThat(tenant.call("DELETE", "/volumes/" + volume, null).status()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(1)).until(() -> tenant.call("GET", "/volumes/" + volume, null).body().contains("InvalidVolume.NotFound"));
        // The draft's "asOf" moves on with every read; its lines and totals must not.
        AtomicReference<JsonNode> previous = new AtomicReference<>(JSON.createObjectNode());
        JsonNode settled = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(BillingQemuTest::draft, d -> withoutAsOf(d).equals(previous.getAndSet(withoutAsOf(d))));
        String csv = tenant.call("GET", "/billing/invoices/" + settled.path("invoiceId").asText() + "/csv", null).body();
        assertThat(csv).isEqualTo(csvOf(settled));
        assertThat(quantity(settled, vm)).isEqualTo(seconds);
    }

    static JsonNode withoutAsOf(JsonNode invoice) {
        ObjectNode copy = invoice.deepCopy();
        copy.remove(List.of("asOf", "forecastMinor", "forecast"));
        return copy;
    }

    static String state(String vm) throws Exception {
        return tenant.call("GET", "/instances/" + vm, null).json().path("state").path("name").asText();
    }

    /** The tenant's current draft invoice, with its lines. */
    static JsonNode draft() throws Exception {
        Reply list = tenant.call("GET", "/billing/invoices", null);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        String id = null;
        for (JsonNode i : list.json()) {
            if (i.path("status").asText().equals("draft")) {
                id = i.path("invoiceId").asText();
            }
        }
        assertThat(id).as(list.body()).isNotNull();
        Reply invoice = tenant.call("GET", "/billing/invoices/" + id, null);
        assertThat(invoice.status()).as(invoice.body()).isEqualTo(200);
        return invoice.json();
    }

    static JsonNode line(JsonNode invoice, String resource) {
        for (JsonNode l : invoice.path("lines")) {
            if (l.path("resourceId").asText().equals(resource)) {
                return l;
            }
        }
        return JSON.createObjectNode();
    }

    static long quantity(JsonNode invoice, String resource) {
        return line(invoice, resource).path("quantity").asLong(0);
    }

    /** The CSV the invoice's JSON implies, written here from the documented columns. */
    static String csvOf(JsonNode inv) {
        String prefix = String.join(",", inv.path("invoiceId").asText(), inv.path("accountId").asText(), inv.path("month").asText(),
                inv.path("status").asText(), inv.path("currency").asText());
        List<String> rows = new ArrayList<>();
        rows.add("invoice_id,account_id,month,status,currency,line,usage_type,resource_id,sku,quantity,unit,unit_price_micros,price_unit,amount");
        for (JsonNode l : inv.path("lines")) {
            rows.add(String.join(",", prefix, l.path("line").asText(), l.path("usageType").asText(), l.path("resourceId").asText(),
                    l.path("sku").asText(), l.path("quantity").asText(), l.path("unit").asText(), l.path("unitPriceMicros").asText(),
                    l.path("priceUnit").asText(), l.path("amount").asText()));
        }
        rows.add(prefix + ",total,,,,,,,," + inv.path("total").asText());
        return String.join("\r\n", rows) + "\r\n";
    }

    record Reply(int status, String body) {
        JsonNode json() throws Exception {
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        }
    }

    /** REST calls with a tenant's access key (the server's helper signs as the admin). */
    record Tenant(String url, String keyId, String secret) {
        static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Reply call(String method, String path, String body) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1" + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + keyId + ":" + secret).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        }
    }
}
