package io.nubo.control.network;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubnetAddressesTest {
    @Test
    void aSlash20GivesOutEverythingButTheFirstFourAndTheLast() {
        SubnetAddresses s = SubnetAddresses.of("172.31.16.0/20");
        assertThat(s.address(SubnetAddresses.FIRST_HOST)).isEqualTo("172.31.16.4");
        assertThat(s.lastHost()).isEqualTo(4094);
        assertThat(s.address(s.lastHost())).isEqualTo("172.31.31.254");
        assertThat(s.router()).isEqualTo("172.31.16.1");
        assertThat(s.dns()).isEqualTo("172.31.16.2");
        assertThat(s.cidr()).isEqualTo("172.31.16.0/20");
        assertThat(SubnetAddresses.ofZone("nubo-1a").cidr()).isEqualTo("172.31.0.0/20");
    }

    @Test
    void theFirstFreeSkipsHeldOnesAndAFullSubnetHasNone() {
        SubnetAddresses s = SubnetAddresses.of("10.0.0.0/28");
        assertThat(s.firstFree(Set.of(4, 5, 7)).getAsInt()).isEqualTo(6);
        Set<Integer> all = new HashSet<>();
        IntStream.rangeClosed(4, 14).forEach(all::add);
        assertThat(s.firstFree(all)).isEmpty();
    }

    @Test
    void badSubnetsAndHostNumbersAreRefused() {
        assertThatThrownBy(() -> SubnetAddresses.of("172.31.0.1/20")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubnetAddresses.of("172.31.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubnetAddresses.of("172.31.0.0/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubnetAddresses.of("300.31.0.0/20")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubnetAddresses.of("10.0.0.0/28").address(16)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SubnetAddresses.privateDnsName("172.31.0.4")).isEqualTo("ip-172-31-0-4.nubo-1.compute.internal");
        assertThatThrownBy(() -> SubnetAddresses.ofZone("nubo-9z")).isInstanceOf(IllegalArgumentException.class);
        // A row from a zone the region no longer has shows no address rather than failing a host's desired state.
        assertThat(SubnetAddresses.interfaceAddressIn("nubo-9z", 4)).isNull();
        assertThat(SubnetAddresses.interfaceAddressIn("nubo-1a", 4096)).isNull();
        assertThat(SubnetAddresses.interfaceAddressIn("nubo-1a", 4)).isEqualTo("172.31.0.4/20");
    }
}
