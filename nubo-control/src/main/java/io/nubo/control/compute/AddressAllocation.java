package io.nubo.control.compute;

import io.nubo.control.network.SubnetAddresses;
import io.nubo.store.Store;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The private addresses a {@link LaunchBatch} gives its instances: the lowest free host numbers of
 * each zone's default subnet, per account. What an account holds in a zone is read once per batch;
 * the batch holds the account's row lock, so no other launch of the account picks at the same
 * time (and the unique index of V17 would refuse a duplicate anyway). Not thread-safe.
 */
final class AddressAllocation {
    private record Scope(String accountId, String zone) {
    }

    private final class Subnet {
        final SubnetAddresses addresses;
        final Set<Integer> held;
        final Map<String, Integer> given = new LinkedHashMap<>();
        int cursor = SubnetAddresses.FIRST_HOST;

        Subnet(Scope scope) {
            this.addresses = SubnetAddresses.ofZone(scope.zone());
            this.held = s.instanceAddresses().held(scope.accountId(), scope.zone());
        }

        int free() {
            return addresses.lastHost() - SubnetAddresses.FIRST_HOST + 1 - held.size();
        }
    }

    private final Store s;
    private final Map<Scope, Subnet> subnets = new HashMap<>();

    AddressAllocation(Store s) {
        this.s = s;
    }

    /** How many more instances of the account fit in the zone's default subnet. */
    int free(String accountId, String zone) {
        return subnet(accountId, zone).free();
    }

    /** Gives each instance the next free address; the caller has checked that enough are {@link #free}. */
    void give(String accountId, String zone, List<String> instanceIds) {
        Subnet subnet = subnet(accountId, zone);
        for (String id : instanceIds) {
            while (subnet.held.contains(subnet.cursor)) {
                subnet.cursor++;
            }
            if (subnet.cursor > subnet.addresses.lastHost()) {
                throw new IllegalStateException("no free address left in " + subnet.addresses.cidr());
            }
            subnet.held.add(subnet.cursor);
            subnet.given.put(id, subnet.cursor);
        }
    }

    /** Writes the addresses given in this batch. */
    void write() {
        subnets.forEach((scope, subnet) -> s.instanceAddresses().insertAll(scope.accountId(), scope.zone(), subnet.given));
    }

    private Subnet subnet(String accountId, String zone) {
        return subnets.computeIfAbsent(new Scope(accountId, zone), Subnet::new);
    }
}
