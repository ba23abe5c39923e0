package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.images.ImageCreation;
import io.nubo.control.images.ImportRequest;
import io.nubo.control.images.LaunchPermission;
import io.nubo.control.images.UploadRequest;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.nubo.api.rest.RestRoutes.route;

/** The REST routes for images and storage pools. Handlers only translate; the rules are in the image service. */
public final class ImageRoutes {
    /** The one route whose body is a stream (a disk image), exempt from the JSON body limit. */
    public static final String UPLOAD_PATH = RestRoutes.BASE + "/images/upload";

    private ImageRoutes() {
    }

    public static List<Route> all(ControlPlane cp) {
        var catalog = cp.catalog();
        var images = cp.images();
        return List.of(
                route(HandlerType.GET, "/images", "listImages", "List the images the caller may use", false, 200, null, List.of(),
                        c -> catalog.listImages(c.principal()).stream().map(Views::image).toList()),
                route(HandlerType.GET, "/images/{imageId}", "getImage", "Describe one image", false, 200, null, List.of(),
                        c -> Views.image(catalog.getImage(c.principal(), c.path("imageId")))),
                route(HandlerType.POST, "/images/import", "importImage",
                        "Import an image from an http(s) URL, or (admin) a file on the server; it is pending until imported", false, 201,
                        Bodies.ImportImage.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.ImportImage.class);
                            return Views.image(images.importImage(c.principal(), new ImportRequest(b.name(), Optional.ofNullable(b.description()),
                                    Optional.ofNullable(b.url()), Optional.ofNullable(b.path()), Optional.ofNullable(b.format()), List.of())));
                        }),
                route(HandlerType.PUT, "/images/upload", "uploadImage",
                        "Upload an image file as the raw request body (application/octet-stream, with Content-Length); "
                                + "sha256 is the file's SHA-256 in hex and is checked", false, 201, null,
                        List.of(new Route.QueryParam("name", "string", "the image's name (3 to 128 characters)"),
                                new Route.QueryParam("description", "string", "a description"),
                                new Route.QueryParam("format", "string", "qcow2 or raw to convert the image; without it, it keeps its format"),
                                new Route.QueryParam("sha256", "string", "the file's SHA-256, 64 hex digits")),
                        c -> Views.image(images.upload(c.principal(), new UploadRequest(c.query("name").orElse(null),
                                c.query("description"), c.query("format"), c.query("sha256").orElseThrow(() -> NuboException.of(
                                ErrorCode.MISSING_PARAMETER, "The request must contain the parameter sha256")), c.contentLength()),
                                c.bodyStream()))),
                route(HandlerType.DELETE, "/images/{imageId}", "deregisterImage",
                        "Deregister one of the caller's images; instances made from it keep running", false, 200, null, List.of(),
                        c -> {
                            String id = c.path("imageId");
                            images.deregister(c.principal(), id);
                            return new Deregistered(id, "deregistered");
                        }),
                route(HandlerType.GET, "/images/{imageId}/launch-permissions", "getLaunchPermissions",
                        "Who besides its owner may launch one of the caller's images", false, 200, null, List.of(),
                        c -> permissions(cp, c.principal(), c.path("imageId"))),
                route(HandlerType.POST, "/images/{imageId}/launch-permissions", "modifyLaunchPermissions",
                        "Share one of the caller's images with accounts, stop sharing it, or (admin) make it public or private", false, 200,
                        Bodies.LaunchPermissions.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.LaunchPermissions.class);
                            List<LaunchPermission> add = new ArrayList<>();
                            List<LaunchPermission> remove = new ArrayList<>();
                            Optional.ofNullable(b.add()).orElse(List.of()).forEach(a -> add.add(LaunchPermission.account(a)));
                            Optional.ofNullable(b.remove()).orElse(List.of()).forEach(a -> remove.add(LaunchPermission.account(a)));
                            if (b.isPublic() != null) {
                                (b.isPublic() ? add : remove).add(LaunchPermission.everyone());
                            }
                            images.modifyLaunchPermission(c.principal(), c.path("imageId"), add, remove);
                            return permissions(cp, c.principal(), c.path("imageId"));
                        }),
                route(HandlerType.POST, "/instances/{instanceId}/create-image", "createImage",
                        "Make a private image of one of the caller's instances from its root disk (running or stopped); it is pending until "
                                + "the disk is copied. Without noReboot a running instance is stopped for the copy and started again",
                        false, 201, CreateImage.class, List.of(),
                        c -> {
                            var b = c.body(CreateImage.class);
                            return Views.image(cp.imageCreation().createImage(c.principal(), new ImageCreation.CreateRequest(c.path("instanceId"),
                                    b.name(), Optional.ofNullable(b.description()), Boolean.TRUE.equals(b.noReboot()), tags(b.tags()))));
                        }),
                route(HandlerType.POST, "/images/{imageId}/copy", "copyImage",
                        "Copy an image the caller may launch (its own, public, or shared with it) into a new private image of the caller's; "
                                + "the same clientToken with the same request returns the first copy", false, 201, CopyImage.class, List.of(),
                        c -> {
                            var b = c.body(CopyImage.class);
                            return Views.image(cp.imageCreation().copyImage(c.principal(), new ImageCreation.CopyRequest(c.path("imageId"),
                                    b.name(), Optional.ofNullable(b.description()), Optional.ofNullable(b.clientToken()))));
                        }),
                route(HandlerType.GET, "/storage-pools", "listStoragePools",
                        "Storage pools with their capacity, use and the hosts that reach them (admin)", true, 200, null, List.of(),
                        c -> cp.storagePools().list(c.principal()).stream().map(Views::pool).toList()));
    }

    /** CreateImage's body: the new image's name (required), description, tags; noReboot copies a running instance live. */
    public record CreateImage(String name, String description, Boolean noReboot, java.util.Map<String, String> tags) {
    }

    /** CopyImage's body: the copy's name (required) and description, and an idempotency token. */
    public record CopyImage(String name, String description, String clientToken) {
    }

    private static List<io.nubo.core.model.Tag> tags(java.util.Map<String, String> tags) {
        return tags == null ? List.of() : tags.entrySet().stream().map(e -> new io.nubo.core.model.Tag(e.getKey(), e.getValue())).toList();
    }

    /** The answer to a deregistration. */
    public record Deregistered(String imageId, String state) {
    }

    private static Views.LaunchPermissionsView permissions(ControlPlane cp, Principal p, String id) {
        var a = cp.images().attributes(p, id);
        return new Views.LaunchPermissionsView(a.imageId(), a.isPublic(), a.sharedWith());
    }
}
