package io.nubo.control.network;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.filter.FilterSet;
import io.nubo.core.model.Account;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;

import java.util.List;
import java.util.Map;

/** The region, its availability zones, and what an account may do in them. Thread-safe. */
public final class RegionService {
    public static final String OPT_IN_NOT_REQUIRED = "opt-in-not-required";

    /** A region; {@code endpoint} is where its EC2 API answers. */
    public record Region(String name, String endpoint, String optInStatus) {
    }

    public record Zone(String name, String id, String region, String state, String optInStatus) {
    }

    public record AccountAttribute(String name, List<String> values) {
    }

    private static final FilterSet<Region> REGION_FILTERS = FilterSet.<Region>builder()
            .one("region-name", Region::name)
            .one("endpoint", Region::endpoint)
            .one("opt-in-status", Region::optInStatus)
            .build();

    private static final FilterSet<Zone> ZONE_FILTERS = FilterSet.<Zone>builder()
            .one("zone-name", Zone::name)
            .one("zone-id", Zone::id)
            .one("region-name", Zone::region)
            .one("group-name", Zone::region)
            .one("state", Zone::state)
            .one("opt-in-status", Zone::optInStatus)
            .one("zone-type", z -> "availability-zone")
            .build();

    private static final List<String> ATTRIBUTES = List.of("supported-platforms", "default-vpc", "max-instances");

    private final Database db;

    public RegionService(Database db) {
        this.db = db;
    }

    /** The regions, as reached at {@code endpoint} (the address the caller used). */
    public List<Region> regions(List<String> names, List<Filter> filters, String endpoint) {
        var matching = REGION_FILTERS.compile(filters);
        for (String n : names) {
            if (!n.equals(Topology.REGION)) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid region name '%s': this cloud has region %s", n,
                        Topology.REGION);
            }
        }
        return List.of(new Region(Topology.REGION, endpoint, OPT_IN_NOT_REQUIRED)).stream().filter(matching).toList();
    }

    public List<Zone> zones(List<String> names, List<String> ids, List<Filter> filters) {
        var matching = ZONE_FILTERS.compile(filters);
        for (String n : names) {
            if (!Topology.ZONES.contains(n)) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The zone '%s' does not exist", n);
            }
        }
        for (String id : ids) {
            if (Topology.zoneById(id).isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The zone ID '%s' does not exist", id);
            }
        }
        return Topology.ZONES.stream()
                .map(z -> new Zone(z, Topology.zoneId(z), Topology.REGION, "available", OPT_IN_NOT_REQUIRED))
                .filter(z -> (names.isEmpty() && ids.isEmpty()) || names.contains(z.name()) || ids.contains(z.id()))
                .filter(matching).toList();
    }

    /** EC2's account attributes: the platforms (VPC), the default VPC, and the instance quota. */
    public List<AccountAttribute> accountAttributes(Principal caller, List<String> names) {
        for (String n : names) {
            if (!ATTRIBUTES.contains(n)) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid account attribute '%s': use one of %s", n, ATTRIBUTES);
            }
        }
        Map<String, List<String>> values = db.read(s -> {
            Account a = s.accounts().find(caller.accountId()).orElseThrow();
            String vpc = s.vpcs().findDefault(a.id()).map(v -> v.id()).orElse("none");
            return Map.of("supported-platforms", List.of("VPC"), "default-vpc", List.of(vpc),
                    "max-instances", List.of(Integer.toString(a.instanceQuota())));
        });
        return ATTRIBUTES.stream().filter(n -> names.isEmpty() || names.contains(n))
                .map(n -> new AccountAttribute(n, values.get(n))).toList();
    }
}
