package io.nubo.api.rest;

import io.nubo.control.ControlPlane;
import io.nubo.control.compute.ComputeService;
import io.nubo.control.compute.LaunchRequest;
import io.nubo.control.compute.ListQuery;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.Principal;
import io.nubo.store.InstanceFilter;
import io.javalin.http.HandlerType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static io.nubo.api.rest.Route.QueryParam;

/**
 * The REST API's single route table. Handlers only translate: they parse, call one service
 * method and shape the answer. Business rules live in the services.
 */
public final class RestRoutes {
    public static final String BASE = "/api/v1";
    private static final List<QueryParam> PAGING = List.of(
            new QueryParam("limit", "integer", "page size, 1 to 1000"),
            new QueryParam("nextToken", "string", "the token from the previous page"));
    private static final List<QueryParam> EVENT_PAGING = List.of(
            new QueryParam("after", "integer", "return events after this event ID"),
            new QueryParam("limit", "integer", "page size, 1 to 1000 (default 100)"));

    private RestRoutes() {
    }

    public static List<Route> all(ControlPlane cp) {
        var compute = cp.compute();
        var catalog = cp.catalog();
        var identity = cp.identity();
        var hosts = cp.hosts();
        var keyPairs = cp.keyPairs();
        List<Route> core = List.of(
                route(HandlerType.GET, "/instances", "listInstances", "List instances", false, 200, null,
                        concat(List.of(new QueryParam("state", "string", "instance state name(s), e.g. running"),
                                new QueryParam("type", "string", "instance type(s)"),
                                new QueryParam("image", "string", "image ID(s)"),
                                new QueryParam("name", "string", "name(s); * and ? are wildcards"),
                                new QueryParam("id", "string", "instance ID(s)")), PAGING),
                        c -> {
                            var page = compute.list(c.principal(), new ListQuery(filter(c), c.queryInt("limit", 100), c.query("nextToken")));
                            return new Views.InstanceList(page.items().stream().map(i -> Views.instance(i, c.principal())).toList(),
                                    page.nextToken());
                        }),
                route(HandlerType.POST, "/instances", "runInstances", "Launch instances", false, 201, Bodies.RunInstances.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.RunInstances.class);
                            if (b.count() != null && (b.minCount() != null || b.maxCount() != null)) {
                                throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give count, or minCount and maxCount, not both");
                            }
                            int min = b.count() != null ? b.count() : b.minCount() != null ? b.minCount() : 1;
                            int max = b.count() != null ? b.count() : b.maxCount() != null ? b.maxCount() : min;
                            // The same launch request the EC2 adapter makes, groups by ID; the service checks they exist and are the caller's.
                            var r = compute.run(c.principal(), new LaunchRequest(b.imageId(), b.instanceType(), min, max, b.name(),
                                    b.keyName(), b.userData(), null, null, Optional.ofNullable(b.securityGroupIds()).orElse(List.of()),
                                    List.of(), List.of(), null, Boolean.TRUE.equals(b.ha()), null, null, b.rootDiskGib(),
                                    Boolean.TRUE.equals(b.keepRootVolume())));
                            return new Views.ReservationView(r.reservationId(), r.accountId(),
                                    r.instances().stream().map(i -> Views.instance(i, c.principal())).toList());
                        }),
                route(HandlerType.GET, "/instances/{instanceId}", "getInstance", "Describe one instance", false, 200, null, List.of(),
                        c -> Views.instance(compute.get(c.principal(), c.path("instanceId")), c.principal())),
                route(HandlerType.POST, "/instances/{instanceId}/start", "startInstance", "Start a stopped instance", false, 200,
                        Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.instance(compute.start(c.principal(), c.path("instanceId")), c.principal());
                        }),
                route(HandlerType.POST, "/instances/{instanceId}/stop", "stopInstance",
                        "Stop an instance: ACPI shutdown, forced after a timeout or at once with force", false, 200,
                        Bodies.StopInstance.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.StopInstance.class);
                            return Views.instance(compute.stop(c.principal(), c.path("instanceId"), Boolean.TRUE.equals(b.force())), c.principal());
                        }),
                route(HandlerType.POST, "/instances/{instanceId}/reboot", "rebootInstance", "Reboot a running instance", false, 200,
                        Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.instance(compute.reboot(c.principal(), c.path("instanceId")), c.principal());
                        }),
                route(HandlerType.POST, "/instances/{instanceId}/terminate", "terminateInstance", "Terminate an instance", false, 200,
                        Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.instance(compute.terminate(c.principal(), c.path("instanceId")), c.principal());
                        }),
                route(HandlerType.GET, "/instances/{instanceId}/events", "listInstanceEvents", "The events of one instance", false, 200,
                        null, EVENT_PAGING,
                        c -> {
                            long after = c.queryLong("after", 0);
                            return Views.events(compute.events(c.principal(), Optional.of(c.path("instanceId")), after, c.queryInt("limit", 100)), after);
                        }),
                route(HandlerType.GET, "/instances/{instanceId}/console", "getConsoleOutput",
                        "The tail of the instance's serial console", false, 200, null,
                        List.of(new QueryParam("bytes", "integer", "how many bytes from the end, 1 to 65536 (default 65536)")),
                        c -> {
                            var out = compute.console(c.principal(), c.path("instanceId"), c.queryInt("bytes", ComputeService.MAX_CONSOLE_BYTES));
                            return new Views.ConsoleView(out.instanceId(), out.timestamp(), new String(out.output(), StandardCharsets.UTF_8));
                        }),
                route(HandlerType.GET, "/key-pairs", "listKeyPairs", "List the caller's SSH key pairs", false, 200, null, List.of(),
                        c -> keyPairs.list(c.principal()).stream().map(Views::keyPair).toList()),
                route(HandlerType.POST, "/key-pairs", "createKeyPair",
                        "Create an SSH key pair; the private key is returned only in this answer", false, 201,
                        Bodies.CreateKeyPair.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.CreateKeyPair.class);
                            var k = keyPairs.create(c.principal(), b.keyName(), b.keyType());
                            return new Views.NewKeyPairView(k.keyPair().id(), k.keyPair().name(), k.keyPair().type(),
                                    k.keyPair().fingerprint(), k.privateKeyPem());
                        }),
                route(HandlerType.POST, "/key-pairs/import", "importKeyPair", "Import an OpenSSH public key", false, 201,
                        Bodies.ImportKeyPair.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.ImportKeyPair.class);
                            return Views.keyPair(keyPairs.importKey(c.principal(), b.keyName(), b.publicKeyMaterial()));
                        }),
                route(HandlerType.GET, "/key-pairs/{keyName}", "getKeyPair", "Describe one key pair", false, 200, null, List.of(),
                        c -> Views.keyPair(keyPairs.get(c.principal(), c.path("keyName")))),
                route(HandlerType.DELETE, "/key-pairs/{keyName}", "deleteKeyPair", "Delete a key pair", false, 200, null, List.of(),
                        c -> {
                            var k = keyPairs.get(c.principal(), c.path("keyName"));
                            keyPairs.delete(c.principal(), k.name());
                            return Views.keyPair(k);
                        }),
                route(HandlerType.GET, "/events", "listEvents", "The events of the caller's account", false, 200, null, EVENT_PAGING,
                        c -> {
                            long after = c.queryLong("after", 0);
                            return Views.events(compute.events(c.principal(), Optional.empty(), after, c.queryInt("limit", 100)), after);
                        }),
                route(HandlerType.GET, "/instance-types", "listInstanceTypes", "The instance type catalogue", false, 200, null, List.of(),
                        c -> catalog.listTypes().stream().map(Views::type).toList()),
                route(HandlerType.GET, "/instance-types/{name}", "getInstanceType", "Describe one instance type", false, 200, null, List.of(),
                        c -> Views.type(catalog.getType(c.path("name")))),
                route(HandlerType.PUT, "/instance-types/{name}", "putInstanceType", "Add or change an instance type (admin)", true, 200,
                        Bodies.PutInstanceType.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.PutInstanceType.class);
                            require(b.vcpus(), "vcpus");
                            require(b.memoryMib(), "memoryMib");
                            require(b.priceMicrosPerHour(), "priceMicrosPerHour");
                            return Views.type(catalog.putType(c.principal(), new InstanceType(c.path("name"), b.vcpus(), b.memoryMib(),
                                    b.priceMicrosPerHour(), b.requiresAccelerator())));
                        }),
                route(HandlerType.GET, "/hosts", "listHosts", "List hypervisor hosts (admin)", true, 200, null, List.of(),
                        c -> {
                            var all = hosts.list(c.principal());
                            var used = hosts.usage(c.principal(), all.stream().map(io.nubo.core.model.Host::id).toList());
                            return all.stream().map(h -> Views.host(h, used.getOrDefault(h.id(), io.nubo.core.model.HostUsage.NONE))).toList();
                        }),
                route(HandlerType.GET, "/hosts/{hostId}", "getHost", "Describe one host (admin)", true, 200, null, List.of(),
                        c -> Views.host(hosts.get(c.principal(), c.path("hostId")), hosts.usageOf(c.principal(), c.path("hostId")))),
                route(HandlerType.PUT, "/hosts/{hostId}/overcommit", "setHostOvercommit",
                        "Set how far the scheduler may overcommit a host's vCPUs and memory (admin)", true, 200,
                        Bodies.HostOvercommit.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.HostOvercommit.class);
                            require(b.cpuRatio(), "cpuRatio");
                            require(b.memoryRatio(), "memoryRatio");
                            return Views.host(hosts.setOvercommit(c.principal(), c.path("hostId"), b.cpuRatio(), b.memoryRatio()),
                                    hosts.usageOf(c.principal(), c.path("hostId")));
                        }),
                route(HandlerType.GET, "/accounts", "listAccounts", "List accounts (admin)", true, 200, null, List.of(),
                        c -> identity.listAccounts(c.principal()).stream().map(Views::account).toList()),
                route(HandlerType.POST, "/accounts", "createAccount", "Create a tenant account and its first access key (admin)", true, 201,
                        Bodies.CreateAccount.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.CreateAccount.class);
                            var key = identity.createAccount(c.principal(), b.name(), Optional.ofNullable(b.instanceQuota()));
                            return new Views.AccountCreated(Views.account(identity.getAccount(c.principal(), key.accountId())), Views.newKey(key));
                        }),
                route(HandlerType.GET, "/accounts/{accountId}", "getAccount", "Describe an account", false, 200, null, List.of(),
                        c -> Views.account(identity.getAccount(c.principal(), c.path("accountId")))),
                route(HandlerType.POST, "/accounts/{accountId}/disable", "disableAccount", "Disable an account: its keys stop working (admin)",
                        true, 200, Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.account(identity.setAccountEnabled(c.principal(), c.path("accountId"), false));
                        }),
                route(HandlerType.POST, "/accounts/{accountId}/enable", "enableAccount", "Enable an account again (admin)", true, 200,
                        Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.account(identity.setAccountEnabled(c.principal(), c.path("accountId"), true));
                        }),
                route(HandlerType.GET, "/accounts/{accountId}/access-keys", "listAccessKeys", "List an account's access keys", false, 200,
                        null, List.of(),
                        c -> identity.listAccessKeys(c.principal(), c.path("accountId")).stream().map(Views::accessKey).toList()),
                route(HandlerType.POST, "/accounts/{accountId}/access-keys", "createAccessKey",
                        "Create an access key for the caller's account (operators: any account); its secret is shown only in this answer", false, 201, Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.newKey(identity.createAccessKey(c.principal(), c.path("accountId")));
                        }),
                route(HandlerType.POST, "/access-keys/{accessKeyId}/revoke", "revokeAccessKey", "Revoke an access key of the caller's account (operators: any key)", false, 200,
                        Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.accessKey(identity.revokeAccessKey(c.principal(), c.path("accessKeyId")));
                        }));
        return concat(concat(concat(concat(concat(core, BillingRoutes.all(cp)), ImageRoutes.all(cp)), concat(HostRoutes.all(cp), MigrationRoutes.all(cp))), concat(VolumeRoutes.all(cp), SnapshotRoutes.all(cp))),
                concat(PartnerRoutes.all(cp), concat(ZoneRoutes.all(cp), concat(InstanceSettingsRoutes.all(cp), SecurityGroupRoutes.all(cp)))));
    }

    private static InstanceFilter filter(RestCall c) {
        List<InstanceState> states = c.queryList("state").stream().map(s -> {
            try {
                return InstanceState.fromApiName(s);
            } catch (IllegalArgumentException e) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid instance state '%s'", s);
            }
        }).toList();
        return new InstanceFilter(c.queryList("id"), states, c.queryList("type"), c.queryList("image"), c.queryList("name"));
    }

    static void require(Object value, String name) {
        if (value == null) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter %s", name);
        }
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    static Route route(HandlerType method, String path, String operationId, String summary, boolean adminOnly, int status,
                               Class<? extends Record> body, List<QueryParam> query, Route.RestHandler handler) {
        return new Route(method, BASE + path, operationId, summary, adminOnly, status, Optional.ofNullable(body), query, handler);
    }

    /** Checks the caller may use an admin-only route before the handler runs. */
    static void authorize(Route r, Principal p) {
        if (r.adminOnly() && !p.isAdmin()) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "You are not authorized to perform this operation.");
        }
    }
}
