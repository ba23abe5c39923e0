package io.nubo.control.compute;

import io.nubo.control.network.DefaultNetworkCache;
import io.nubo.control.network.SubnetAddresses;
import io.nubo.control.network.Topology;
import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.query.Paging;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.Page;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Principal;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Subnet;
import io.nubo.core.model.Tag;
import io.nubo.store.Database;
import io.nubo.store.InstanceAddresses;
import io.nubo.store.InstanceFilter;
import io.nubo.store.Store;
import io.nubo.store.Subnets.DefaultNetwork;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * EC2's views of instances: DescribeInstances and DescribeInstanceStatus, with filters evaluated
 * in the database and pages in launch order. Thread-safe.
 */
public final class InstanceQueryService {
    public static final int MAX_PAGE = 1000;

    private final Database db;
    private final Clock clock;
    private final DefaultNetworkCache networks;

    public InstanceQueryService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.networks = new DefaultNetworkCache(clock);
    }

    /**
     * The caller's instances by ID and filters. Naming an instance that does not exist (or is
     * another account's) is {@code InvalidInstanceID.NotFound}, which EC2's waiters rely on.
     */
    public Page<InstanceDetails> describe(Principal caller, List<String> ids, List<Filter> filters, PageRequest page) {
        checkRequest(ids, page);
        return db.read(s -> {
            DefaultNetwork net = networks.get(s, caller.accountId());
            InstanceFilter filter = InstanceFilters.describe(filters, net.vpcId().orElse(""), defaults(net.subnets()));
            return query(s, caller, ids, filter, page, net);
        });
    }

    /** The status of the caller's running instances, or of all of them with {@code includeAll}. */
    public Page<InstanceDetails> status(Principal caller, List<String> ids, List<Filter> filters, boolean includeAll, PageRequest page) {
        checkRequest(ids, page);
        InstanceFilter filter = InstanceFilters.status(filters);
        if (!includeAll) {
            filter = filter.and(new InstanceFilter.Column(InstanceFilter.Field.STATE, List.of(InstanceState.RUNNING.apiName())));
        }
        InstanceFilter f = filter;
        return db.read(s -> query(s, caller, ids, f, page, networks.get(s, caller.accountId())));
    }

    /** One instance with its details. */
    public InstanceDetails details(Principal caller, String id) {
        IdCheck.instances(List.of(id));
        return db.read(s -> {
            Instance i = s.instances().find(id, caller.accountId(), visibleSince()).orElseThrow(() -> NotFound.instances(List.of(id)));
            return details(s, caller, List.of(i), networks.get(s, caller.accountId())).get(0);
        });
    }

    /** These instances of the caller's with their details, as a launch answers with them. */
    public List<InstanceDetails> details(Principal caller, List<Instance> instances) {
        return db.read(s -> details(s, caller, instances, networks.get(s, caller.accountId())));
    }

    /** EC2's instance status ({@code ok} or {@code not-applicable}) and reachability for a state. */
    public static String status(InstanceState state) {
        return InstanceFilters.status(state);
    }

    public static String reachability(InstanceState state) {
        return InstanceFilters.reachability(state);
    }

    private Page<InstanceDetails> query(Store s, Principal caller, List<String> ids, InstanceFilter filter, PageRequest page,
                                        DefaultNetwork net) {
        int limit = page.maxResults().orElse(MAX_PAGE);
        var after = page.nextToken().map(PageTokens::decode);
        List<Instance> rows = null;
        if (!ids.isEmpty()) {
            boolean unfiltered = filter.equals(InstanceFilter.all()) && after.isEmpty() && ids.stream().distinct().count() <= limit;
            filter = filter.and(new InstanceFilter.Column(InstanceFilter.Field.ID, ids));
            Set<String> found;
            if (unfiltered) {
                // Nothing but the IDs narrows the listing, so the page is exactly the visible ones
                // among them: one statement answers both which exist and what they are.
                rows = s.instances().list(caller.accountId(), filter, visibleSince(), after, limit + 1);
                found = rows.stream().map(Instance::id).collect(Collectors.toSet());
            } else {
                found = s.instances().visibleIds(caller.accountId(), ids, visibleSince());
            }
            List<String> missing = ids.stream().filter(id -> !found.contains(id)).distinct().toList();
            if (!missing.isEmpty()) {
                throw NotFound.instances(missing);
            }
        }
        if (rows == null) {
            rows = s.instances().list(caller.accountId(), filter, visibleSince(), after, limit + 1);
        }
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Instance last = rows.get(rows.size() - 1);
            next = PageTokens.encode(last.launchTime(), last.id());
        }
        return new Page<>(details(s, caller, rows, net), next);
    }

    /** The instances with their tags and groups: one statement each for the whole list, in one round trip. */
    private List<InstanceDetails> details(Store s, Principal caller, List<Instance> instances, DefaultNetwork net) {
        List<String> ids = instances.stream().map(Instance::id).toList();
        var pageDetails = s.instancePages().details(caller.accountId(), ids);
        Map<String, List<Tag>> tags = pageDetails.tags();
        Map<String, List<SecurityGroup>> groups = pageDetails.groups();
        Map<String, Subnet> subnets = defaults(net.subnets());
        Optional<String> vpc = net.vpcId();
        Map<String, InstanceAddresses.Held> addresses = pageDetails.addresses();
        return instances.stream().map(i -> new InstanceDetails(i, tags.getOrDefault(i.id(), List.of()),
                groups.getOrDefault(i.id(), List.of()), vpc.orElse(null),
                Optional.ofNullable(subnets.get(i.zone())).map(Subnet::id).orElse(null),
                Optional.ofNullable(addresses.get(i.id())).map(a -> SubnetAddresses.interfaceAddressIn(a.zone(), a.hostNumber()))
                        .map(cidr -> cidr.substring(0, cidr.indexOf('/'))).orElse(null), pageDetails.placementGroups().get(i.id()),
                pageDetails.blockDevices().getOrDefault(i.id(), List.of()))).toList();
    }

    private static void checkRequest(List<String> ids, PageRequest page) {
        IdCheck.instances(ids);
        if (!ids.isEmpty() && page.maxResults().isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION,
                    "The parameter instancesSet cannot be used with the parameter maxResults");
        }
        Paging.checkBounds(page, 5, MAX_PAGE);
    }

    private static Map<String, Subnet> defaults(List<Subnet> subnets) {
        Map<String, Subnet> out = new java.util.HashMap<>();
        subnets.stream().filter(Subnet::defaultForAz).filter(n -> Topology.ZONES.contains(n.zone())).forEach(n -> out.put(n.zone(), n));
        return out;
    }

    private Instant visibleSince() {
        return clock.instant().minus(ComputeService.TERMINATED_VISIBILITY);
    }
}
