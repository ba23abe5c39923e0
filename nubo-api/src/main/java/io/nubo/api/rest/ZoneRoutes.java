package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;

import java.util.List;

import static io.nubo.api.rest.RestRoutes.route;

/** The installation's availability zones, which a new volume must name (the portal offers them). Handlers only translate. */
final class ZoneRoutes {
    private ZoneRoutes() {
    }

    public record ZoneView(String zoneName, String zoneId, String regionName, String state) {
    }

    static List<Route> all(ControlPlane cp) {
        var regions = cp.regions();
        return List.of(route(HandlerType.GET, "/availability-zones", "listAvailabilityZones", "The availability zones of this installation",
                false, 200, null, List.of(),
                c -> regions.zones(List.of(), List.of(), List.of()).stream().map(z -> new ZoneView(z.name(), z.id(), z.region(), z.state()))
                        .toList()));
    }
}
