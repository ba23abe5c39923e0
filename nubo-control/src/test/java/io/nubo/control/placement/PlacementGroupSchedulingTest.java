package io.nubo.control.placement;

import io.nubo.control.ControlFixture;
import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.NuboException;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The scheduler keeps placement groups' promises, and places only in the instance's zone. */
class PlacementGroupSchedulingTest {
    private static LaunchRequest inGroup(ControlFixture f, String group, int count, Integer partition) {
        return new LaunchRequest(f.image.id(), "t3.nano", count, count, null, null, null, null, null, List.of(), List.of(), List.of(), null,
                false, group, partition);
    }

    /** Instance ID to host ID, once every instance of the account is placed. */
    private static Map<String, String> placed(ControlFixture f, Principal p, int expected) {
        await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE account_id = '" + p.accountId()
                + "' AND host_id IS NOT NULL") == expected);
        return f.db.jdbi().withHandle(h -> h.createQuery("SELECT id, host_id FROM instances WHERE account_id = :a AND host_id IS NOT NULL")
                .bind("a", p.accountId()).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).list())
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void spreadMembersGetDistinctHostsAndNoMoreThanThereAreHosts() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            for (int h = 0; h < 3; h++) {
                f.registerHost("host-" + h, 64, 65536);
            }
            Principal tenant = f.tenant("spreader");
            f.cp.placementGroups().create(tenant, "apart", "spread", null, null, List.of());
            f.cp.compute().run(tenant, inGroup(f, "apart", 2, null));
            f.cp.compute().run(tenant, inGroup(f, "apart", 1, null));
            assertThat(Set.copyOf(placed(f, tenant, 3).values())).hasSize(3);
            long instances = f.count("SELECT count(*) FROM instances");
            assertThatThrownBy(() -> f.cp.compute().run(tenant, inGroup(f, "apart", 1, null)))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InsufficientInstanceCapacity"));
            assertThat(f.count("SELECT count(*) FROM instances")).isEqualTo(instances);
        }
    }

    @Test
    void clusterMembersShareOneHostEvenWhenOthersAreEmptier() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            for (int h = 0; h < 3; h++) {
                f.registerHost("host-" + h, 64, 65536);
            }
            Principal tenant = f.tenant("clusterer");
            f.cp.placementGroups().create(tenant, "close", "cluster", null, null, List.of());
            f.cp.compute().run(tenant, inGroup(f, "close", 1, null));
            placed(f, tenant, 1);
            f.cp.compute().run(tenant, inGroup(f, "close", 3, null));
            assertThat(Set.copyOf(placed(f, tenant, 4).values())).hasSize(1);
        }
    }

    @Test
    void partitionsNeverShareAHost() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            for (int h = 0; h < 4; h++) {
                f.registerHost("host-" + h, 64, 65536);
            }
            Principal tenant = f.tenant("partitioner");
            f.cp.placementGroups().create(tenant, "ring", "partition", 2, null, List.of());
            f.cp.compute().run(tenant, inGroup(f, "ring", 4, null));
            f.cp.compute().run(tenant, inGroup(f, "ring", 2, 2));
            Map<String, String> hostOf = placed(f, tenant, 6);
            Map<String, Integer> partitionOf = f.db.jdbi().withHandle(h -> h.createQuery("SELECT instance_id, partition_number FROM placement_group_members")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2))).list())
                    .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(partitionOf.values().stream().filter(p -> p == 1).count()).isEqualTo(2);
            assertThat(partitionOf.values().stream().filter(p -> p == 2).count()).isEqualTo(4);
            Set<String> hostsOf1 = hostOf.entrySet().stream().filter(e -> partitionOf.get(e.getKey()) == 1).map(Map.Entry::getValue)
                    .collect(Collectors.toSet());
            Set<String> hostsOf2 = hostOf.entrySet().stream().filter(e -> partitionOf.get(e.getKey()) == 2).map(Map.Entry::getValue)
                    .collect(Collectors.toSet());
            assertThat(hostsOf1).doesNotContainAnyElementsOf(hostsOf2);
        }
    }

    @Test
    void aHostInAnotherZoneIsNeverChosenHoweverEmptyItIs() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String far = f.cp.agents().register(new HostRegistration("far", "fake", "fake", "nubo-1b", 512, 1 << 20, 100));
            String near = f.registerHost("near", 8, 8192);
            Principal tenant = f.tenant("zoned");
            f.cp.compute().run(tenant, new LaunchRequest(f.image.id(), "t3.nano", 3, 3, null, null, null));
            assertThat(Set.copyOf(placed(f, tenant, 3).values())).containsExactly(near).doesNotContain(far);
        }
    }

    @Test
    void aGroupWithLiveMembersCannotBeDeletedAndAnotherAccountCannotSeeIt() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            f.registerHost("host", 64, 65536);
            Principal owner = f.tenant("owner");
            Principal other = f.tenant("other");
            f.cp.placementGroups().create(owner, "mine", "cluster", null, null, List.of());
            assertThatThrownBy(() -> f.cp.compute().run(other, inGroup(f, "mine", 1, null)))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidPlacementGroup.Unknown"));
            assertThatThrownBy(() -> f.cp.placementGroups().delete(other, "mine"))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidPlacementGroup.Unknown"));
            f.cp.compute().run(owner, inGroup(f, "mine", 1, null));
            assertThatThrownBy(() -> f.cp.placementGroups().delete(owner, "mine"))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidPlacementGroup.InUse"));
            // (Deleting once the members are terminated needs an agent to finish the termination: Ec2PlacementGroupsTest.)
            assertThat(f.cp.placementGroups().describe(owner, List.of(), List.of(), List.of())).hasSize(1);
        }
    }
}
