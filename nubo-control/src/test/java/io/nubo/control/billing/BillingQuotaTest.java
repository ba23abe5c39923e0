package io.nubo.control.billing;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.control.quota.QuotaService;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BillingQuotaTest {
    private static final Instant T0 = Instant.parse("2025-05-05T12:00:00Z");

    /** Launches one instance of {@code type} from each of {@code n} threads at once; returns the error codes (null: launched). */
    private static List<String> race(BillingFixture f, Principal p, String type, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier go = new CyclicBarrier(n);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(pool.submit(() -> {
                go.await();
                try {
                    f.cp.compute().run(p, new LaunchRequest(f.imageId, type, 1, 1, null, null, null));
                    return null;
                } catch (NuboException e) {
                    return e.errorCode().code();
                }
            }));
        }
        List<String> codes = new ArrayList<>();
        for (Future<String> r : results) {
            codes.add(r.get());
        }
        pool.shutdown();
        return codes;
    }

    @RepeatedTest(5)
    void twentyConcurrentLaunchesAgainstAQuotaOfTenLaunchExactlyTen() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("racer");
            f.cp.quotas().setQuotas(f.admin, p.accountId(), Map.of(QuotaService.INSTANCES, 10L));
            List<String> codes = race(f, p, "t3.nano", 20);
            assertThat(codes.stream().filter(c -> c == null).count()).isEqualTo(10);
            assertThat(codes.stream().filter(c -> c != null)).hasSize(10).allMatch("InstanceLimitExceeded"::equals);
            assertThat(f.count("SELECT count(*) FROM instances WHERE account_id = '" + p.accountId() + "'")).isEqualTo(10);
        }
    }

    @RepeatedTest(3)
    void concurrentLaunchesNeverExceedTheVcpuQuota() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("cpu");
            f.cp.quotas().setQuotas(f.admin, p.accountId(), Map.of(QuotaService.VCPUS, 20L));
            List<String> codes = race(f, p, "t3.nano", 20);
            assertThat(codes.stream().filter(c -> c == null).count()).isEqualTo(10);
            assertThat(codes.stream().filter(c -> c != null)).allMatch("VcpuLimitExceeded"::equals);
            assertThat(f.count("SELECT sum(vcpus) FROM instances WHERE account_id = '" + p.accountId() + "'")).isEqualTo(20);
        }
    }

    @Test
    void memoryAndVcpuDefaultsApplyOverridesWinAndTheTenantSeesItsUse() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("mem");
            Principal other = f.tenant("other");
            f.cp.quotas().setDefaults(f.admin, Map.of(QuotaService.MEMORY_MIB, 1024L));
            f.cp.compute().run(p, new LaunchRequest(f.imageId, "t3.nano", 2, 2, null, null, null));
            assertThatThrownBy(() -> f.cp.compute().run(p, new LaunchRequest(f.imageId, "t3.nano", 1, 1, null, null, null)))
                    .isInstanceOf(NuboException.class).hasMessageContaining("memory limit of 1024 MiB")
                    .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo("MemoryLimitExceeded"));
            // MaxCount is trimmed to what the quota allows, as EC2 does with MinCount/MaxCount.
            f.cp.quotas().setQuotas(f.admin, p.accountId(), Map.of(QuotaService.MEMORY_MIB, 2048L));
            assertThat(f.cp.compute().run(p, new LaunchRequest(f.imageId, "t3.nano", 1, 5, null, null, null)).instances()).hasSize(2);
            assertThat(f.cp.quotas().quotas(p, p.accountId())).contains(
                    new QuotaService.Usage(QuotaService.MEMORY_MIB, Optional.of(2048L), 2048),
                    new QuotaService.Usage(QuotaService.VCPUS, Optional.empty(), 8),
                    new QuotaService.Usage(QuotaService.INSTANCES, Optional.of(100L), 4));
            assertThatThrownBy(() -> f.cp.quotas().quotas(other, p.accountId()))
                    .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo("InvalidAccountID.NotFound"));
        }
    }

    @Test
    void aQuotaBelowCurrentUseIsAllowedAndBlocksNewCreatesAndBiggerResizes() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("shrink");
            String id = f.cp.compute().run(p, new LaunchRequest(f.imageId, "t3.nano", 3, 3, null, null, null)).instances().get(0).id();
            f.cp.quotas().setQuotas(f.admin, p.accountId(), Map.of(QuotaService.VCPUS, 4L));
            assertThat(f.cp.quotas().quotas(p, p.accountId())).contains(new QuotaService.Usage(QuotaService.VCPUS, Optional.of(4L), 6));
            assertThatThrownBy(() -> f.cp.compute().run(p, new LaunchRequest(f.imageId, "t3.nano", 1, 1, null, null, null)))
                    .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo("VcpuLimitExceeded"));
            f.observe(Set.of());
            f.cp.compute().stop(p, id, true);
            f.observe(Set.of());
            assertThatThrownBy(() -> f.cp.compute().modifyInstanceType(p, id, "t3.xlarge"))
                    .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo("VcpuLimitExceeded"));
            // Same vCPUs, more memory: no vCPU quota in the way.
            f.cp.compute().modifyInstanceType(p, id, "t3.micro");
        }
    }

    @Test
    void badQuotaValuesAreRejected() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("bad");
            for (Map<String, Long> bad : List.of(Map.of("vcpus", -1L), Map.of("disks", 1L), Map.<String, Long>of())) {
                assertThatThrownBy(() -> f.cp.quotas().setQuotas(f.admin, p.accountId(), bad)).isInstanceOf(NuboException.class);
            }
            assertThatThrownBy(() -> f.cp.quotas().setQuotas(p, p.accountId(), Map.of("vcpus", 1L)))
                    .hasMessageContaining("not authorized");
            assertThat(f.count("SELECT count(*) FROM account_quotas")).isZero();
        }
    }
}
