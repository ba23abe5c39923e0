package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nubo images ...}: list, show, import, copy, share and delete images. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "Images: list, import, copy, share, delete.",
        subcommands = {ImagesCommand.ListCmd.class, ImagesCommand.Show.class, ImagesCommand.Import.class, ImagesCommand.Copy.class,
                ImagesCommand.Share.class, ImagesCommand.Delete.class})
public final class ImagesCommand {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the images you can launch.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/images");
            out.rows(r, r, List.of(Output.Column.of("ID", "imageId"), Output.Column.of("NAME", "name"),
                    Output.Column.of("STATE", "state"), new Output.Column("PROGRESS", n -> n.path("progress").asInt() + "%"),
                    Output.Column.of("FORMAT", "format"), Output.Column.of("OWNER", "ownerId"), Output.Column.of("PUBLIC", "isPublic")));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one image, with the reason if it failed.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "IMAGE-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.get("/images/" + id));
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a disk image (qcow2, raw, VHD, VHDX or VMDK): a local file is uploaded with its SHA-256; "
                    + "an http(s) URL is fetched by the server. Prints the new image's ID.")
    static final class Import extends ClientCommand {
        @Parameters(paramLabel = "PATH-OR-URL", description = "a local file, or an http(s) URL")
        String source;

        @Option(names = "--name", required = true, description = "the image's name")
        String name;

        @Option(names = "--description", description = "a description")
        String description;

        @Option(names = "--format", description = "convert to this format (qcow2 or raw); without it the image keeps its own")
        String format;

        @Option(names = "--wait", description = "wait until the image is available, showing progress")
        boolean await;

        @Option(names = "--server-path", description = "the path is a file on the server, not here (operators only)")
        boolean serverPath;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode image;
            if (source.matches("(?i)https?://.*") || serverPath) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", name);
                body.put("description", description);
                body.put(serverPath ? "path" : "url", serverPath ? Path.of(source).toAbsolutePath().toString() : source);
                body.put("format", format);
                image = client.post("/images/import", body);
            } else {
                image = upload(client);
            }
            String id = image.path("imageId").asText();
            if (await) {
                image = ImageWaiter.await(client, id);
            }
            if (out.isJson()) {
                out.object(image);
            } else {
                System.out.println(id);
            }
            return 0;
        }

        private JsonNode upload(NuboClient client) {
            Path file = Path.of(source);
            if (!Files.isRegularFile(file)) {
                throw new CliException("NoSuchFile", source + " is not a file (for a file on the server, add --server-path)");
            }
            String sha256 = sha256(file);
            StringBuilder q = new StringBuilder("?name=").append(enc(name)).append("&sha256=").append(sha256);
            if (description != null) {
                q.append("&description=").append(enc(description));
            }
            if (format != null) {
                q.append("&format=").append(enc(format));
            }
            long size = sizeOf(file);
            Progress meter = new Progress("uploading " + file.getFileName(), size);
            JsonNode image = client.upload("/images/upload" + q, file, meter::bytes);
            meter.done();
            return image;
        }

        private static String sha256(Path file) {
            try (InputStream in = Files.newInputStream(file)) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 20];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
                return HexFormat.of().formatHex(md.digest());
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static long sizeOf(Path file) {
            try {
                return Files.size(file);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Copy an image you may launch (yours, a public one, or one shared with you) into a new private image of yours. "
                    + "Prints the new image's ID.")
    static final class Copy extends ClientCommand {
        @Parameters(paramLabel = "IMAGE-ID")
        String id;

        @Option(names = "--name", required = true, description = "the copy's name (3 to 128 characters)")
        String name;

        @Option(names = "--description", description = "a description")
        String description;

        @Option(names = "--client-token", description = "an idempotency token: the same token and request give the first copy again")
        String clientToken;

        @Option(names = "--wait", description = "wait until the copy is available, showing progress")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("description", description);
            body.put("clientToken", clientToken);
            JsonNode image = client.post("/images/" + id + "/copy", body);
            String copy = image.path("imageId").asText();
            if (await) {
                image = ImageWaiter.await(client, copy);
            }
            if (out.isJson()) {
                out.object(image);
            } else {
                System.out.println(copy);
            }
            return 0;
        }
    }

    @Command(name = "share", mixinStandardHelpOptions = true,
            description = "Share one of your images with accounts (or stop, with --remove); operators can make it --public or --private.")
    static final class Share extends ClientCommand {
        @Parameters(paramLabel = "IMAGE-ID")
        String id;

        @Option(names = "--account", description = "an account ID to share with (repeatable)")
        List<String> accounts = new ArrayList<>();

        @Option(names = "--remove", description = "stop sharing with the --account IDs instead")
        boolean remove;

        @Option(names = "--public", description = "make the image public (operators)")
        boolean makePublic;

        @Option(names = "--private", description = "make the image private again (operators)")
        boolean makePrivate;

        @Override
        protected int run(NuboClient client, Output out) {
            if (makePublic && makePrivate) {
                throw new CliException("InvalidParameterCombination", "--public and --private contradict each other");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put(remove ? "remove" : "add", accounts);
            if (makePublic || makePrivate) {
                body.put("isPublic", makePublic);
            }
            out.object(client.post("/images/" + id + "/launch-permissions", body));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deregister one of your images; instances made from it keep running, and its file goes once none needs it.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "IMAGE-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.delete("/images/" + id));
            return 0;
        }
    }

    /** A byte counter on stderr, at most one line per percent. */
    static final class Progress {
        private final String what;
        private final long total;
        private int shown = -1;

        Progress(String what, long total) {
            this.what = what;
            this.total = Math.max(1, total);
        }

        void bytes(long sent) {
            int pct = (int) (sent * 100 / total);
            if (pct != shown && (pct % 10 == 0 || pct == 100)) {
                shown = pct;
                System.err.println(what + ": " + pct + "%");
            }
        }

        void done() {
            if (shown < 100) {
                System.err.println(what + ": 100%");
            }
        }
    }
}
