package io.nubo.api;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nubo.control.ControlPlane;
import io.nubo.core.model.Host;
import io.nubo.core.model.InstanceState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus metrics: requests per route (count and latency), instances per state, and each
 * host's capacity and allocation. The gauges read the database at scrape time. Thread-safe.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ControlPlane cp;
    private final MultiGauge instances;
    private final MultiGauge hostGauge;

    public Metrics(ControlPlane cp) {
        this.cp = cp;
        this.instances = MultiGauge.builder("nubo_instances").description("Instances per state").register(registry);
        this.hostGauge = MultiGauge.builder("nubo_host_capacity").description("Host capacity and allocation").register(registry);
        Gauge.builder("nubo_up", () -> 1).description("The server is running").register(registry);
    }

    public void recordRequest(String method, String route, int status, Duration took) {
        Timer.builder("nubo_http_requests").description("HTTP requests per route")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .publishPercentileHistogram(false)
                .register(registry).record(took.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Refreshes the database-backed gauges and renders the Prometheus text format. */
    public String scrape() {
        Map<String, Long> counts = cp.compute().countsByState();
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (InstanceState s : InstanceState.values()) {
            long n = counts.getOrDefault(s.apiName(), 0L);
            rows.add(MultiGauge.Row.of(Tags.of("state", s.apiName()), n));
        }
        instances.register(rows, true);
        List<MultiGauge.Row<?>> hostRows = new ArrayList<>();
        for (Host h : cp.hosts().all()) {
            Tags t = Tags.of("host", h.name(), "state", h.state().apiName());
            hostRows.add(MultiGauge.Row.of(t.and("resource", "vcpus", "kind", "total"), h.vcpus()));
            hostRows.add(MultiGauge.Row.of(t.and("resource", "vcpus", "kind", "allocated"), h.allocatedVcpus()));
            hostRows.add(MultiGauge.Row.of(t.and("resource", "memory_mib", "kind", "total"), h.memoryMib()));
            hostRows.add(MultiGauge.Row.of(t.and("resource", "memory_mib", "kind", "allocated"), h.allocatedMemoryMib()));
        }
        hostGauge.register(hostRows, true);
        return registry.scrape();
    }
}
