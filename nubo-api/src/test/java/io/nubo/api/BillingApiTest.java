package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BillingApiTest {
    private static String csv(TestCloud c, NewAccessKey as, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.api.port() + path))
                .header("Authorization", c.bearer(as)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        return r.body();
    }

    @Test
    void aTenantSeesItsDraftInvoiceAndUsageAndTheCsvMatchesTheJson() throws Exception {
        try (TestCloud c = new TestCloud()) {
            NewAccessKey t = c.tenant("payer");
            String id = c.launch(t);
            c.awaitState(t, id, "running");
            String invoiceId = "inv-" + t.accountId() + "-" + YearMonth.now(ZoneOffset.UTC).toString().replace("-", "");
            // Two lines: the instance's running time, and its root volume's GiB-seconds.
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    c.call(t, "GET", "/api/v1/billing/invoices/" + invoiceId, null).json().path("lines").size() == 2);
            JsonNode inv = c.call(t, "GET", "/api/v1/billing/invoices/" + invoiceId, null).json();
            assertThat(inv.path("status").asText()).isEqualTo("draft");
            assertThat(lineOf(inv, "volume").path("sku").asText()).isEqualTo("gp3");
            JsonNode line = lineOf(inv, "instance");
            assertThat(line.path("resourceId").asText()).isEqualTo(id);
            assertThat(line.path("sku").asText()).isEqualTo("t3.nano");
            assertThat(line.path("quantity").asLong()).as("the one-minute minimum").isGreaterThanOrEqualTo(60);
            assertThat(line.path("unitPriceMicros").asLong()).isEqualTo(5200);
            assertThat(inv.path("forecastMinor").asLong()).isGreaterThanOrEqualTo(inv.path("totalMinor").asLong());

            JsonNode list = c.call(t, "GET", "/api/v1/billing/invoices", null).json();
            assertThat(list.get(0).path("invoiceId").asText()).isEqualTo(invoiceId);

            c.call(t, "POST", "/api/v1/instances/" + id + "/stop", "{}");
            c.awaitState(t, id, "stopped");
            JsonNode frozen = c.call(t, "GET", "/api/v1/billing/invoices/" + invoiceId, null).json();
            String[] rows = csv(c, t, "/api/v1/billing/invoices/" + invoiceId + "/csv").split("\r\n");
            assertThat(rows[0]).startsWith("invoice_id,account_id,month");
            assertThat(rows).hasSize(1 + frozen.path("lines").size() + 1);
            String[] f = rows[1].split(",");
            JsonNode l = frozen.path("lines").get(0);
            assertThat(f[0]).isEqualTo(invoiceId);
            assertThat(f[7]).isEqualTo(l.path("resourceId").asText());
            assertThat(Long.parseLong(f[9])).isEqualTo(l.path("quantity").asLong());
            assertThat(Long.parseLong(f[11])).isEqualTo(l.path("unitPriceMicros").asLong());
            assertThat(f[13]).isEqualTo(l.path("amount").asText());
            assertThat(rows[rows.length - 1]).endsWith("," + frozen.path("total").asText());

            JsonNode usage = c.call(t, "GET", "/api/v1/billing/usage?groupBy=resource", null).json();
            JsonNode ofInstance = null;
            for (JsonNode g : usage.path("usage")) {
                ofInstance = g.path("key").asText().equals(id) ? g : ofInstance;
            }
            assertThat(ofInstance).as(usage.toString()).isNotNull();
            assertThat(ofInstance.path("quantity").asLong()).isEqualTo(lineOf(frozen, "instance").path("quantity").asLong());
            assertThat(c.call(t, "GET", "/api/v1/billing/usage?type=m5.large", null).json().path("usage").size()).isZero();
            assertThat(c.call(t, "GET", "/api/v1/billing/usage?groupBy=week", null).code()).isEqualTo("InvalidParameterValue");
            assertThat(c.call(t, "GET", "/api/v1/billing/usage?from=2025-13-01", null).code()).isEqualTo("InvalidParameterValue");

            // Another tenant's invoice is not found; operator routes are forbidden to tenants.
            NewAccessKey other = c.tenant("other");
            assertThat(c.call(other, "GET", "/api/v1/billing/invoices/" + invoiceId, null).code()).isEqualTo("InvalidInvoiceID.NotFound");
            assertThat(c.call(other, "GET", "/api/v1/billing/invoices?account=" + t.accountId(), null).code())
                    .isEqualTo("InvalidAccountID.NotFound");
            assertThat(c.call(t, "GET", "/api/v1/billing/meter/check", null).status()).isEqualTo(403);
            JsonNode check = c.call(c.admin, "GET", "/api/v1/billing/meter/check", null).json();
            assertThat(check.path("consistent").asBoolean()).isTrue();
        }
    }

    @Test
    void badPricesGetClearErrorsAndChangeNothing() throws Exception {
        try (TestCloud c = new TestCloud()) {
            String before = c.snapshot();
            for (String body : List.of("{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"micros\":-5}",
                    "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"price\":\"ten\"}",
                    "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"micros\":1.5}",
                    "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"micros\":\"12\"}",
                    "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"micros\":5,\"effectiveFrom\":\"2020-01-01T00:00:00Z\"}",
                    "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"micros\":5,\"effectiveFrom\":\"yesterday\"}")) {
                TestCloud.Reply r = c.call(c.admin, "POST", "/api/v1/billing/prices", body);
                assertThat(r.status()).as(body).isEqualTo(400);
                assertThat(r.json().path("detail").asText()).as(body).isNotBlank();
            }
            assertThat(c.snapshot()).isEqualTo(before);
            TestCloud.Reply ok = c.call(c.admin, "POST", "/api/v1/billing/prices", "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"price\":\"0.006\"}");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.json().path("microsPerUnit").asLong()).isEqualTo(6000);
            NewAccessKey t = c.tenant("curious");
            assertThat(c.call(t, "GET", "/api/v1/billing/prices", null).json().size()).isGreaterThan(10);
            assertThat(c.call(t, "POST", "/api/v1/billing/prices", "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"micros\":1}").status())
                    .isEqualTo(403);
        }
    }

    @Test
    void twentyConcurrentLaunchesThroughTheApiAgainstAQuotaOfTenLaunchExactlyTen() throws Exception {
        try (TestCloud c = new TestCloud()) {
            NewAccessKey t = c.tenant("limited");
            assertThat(c.call(c.admin, "PUT", "/api/v1/accounts/" + t.accountId() + "/quotas", "{\"instances\":10}").status()).isEqualTo(200);
            ExecutorService pool = Executors.newFixedThreadPool(20);
            CyclicBarrier go = new CyclicBarrier(20);
            List<Future<TestCloud.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return c.call(t, "POST", "/api/v1/instances", "{\"imageId\":\"" + c.imageId + "\",\"instanceType\":\"t3.nano\"}");
                }));
            }
            int created = 0;
            for (Future<TestCloud.Reply> r : replies) {
                TestCloud.Reply reply = r.get();
                if (reply.status() == 201) {
                    created++;
                } else {
                    assertThat(reply.code()).isEqualTo("InstanceLimitExceeded");
                }
            }
            pool.shutdown();
            assertThat(created).isEqualTo(10);
            JsonNode quotas = c.call(t, "GET", "/api/v1/accounts/" + t.accountId() + "/quotas", null).json();
            assertThat(quotas.get(0).path("resource").asText()).isEqualTo("instances");
            assertThat(quotas.get(0).path("limit").asLong()).isEqualTo(10);
            assertThat(quotas.get(0).path("used").asLong()).isEqualTo(10);
            assertThat(c.call(t, "PUT", "/api/v1/accounts/" + t.accountId() + "/quotas", "{\"instances\":100}").status()).isEqualTo(403);
            assertThat(c.call(c.admin, "PUT", "/api/v1/accounts/" + t.accountId() + "/quotas", "{\"vcpus\":-1}").code())
                    .isEqualTo("InvalidParameterValue");
        }
    }

    private static JsonNode lineOf(JsonNode invoice, String usageType) {
        for (JsonNode l : invoice.path("lines")) {
            if (l.path("usageType").asText().equals(usageType)) {
                return l;
            }
        }
        throw new AssertionError("no " + usageType + " line in " + invoice);
    }
}
