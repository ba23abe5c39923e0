package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nubo keys ...}: SSH key pairs, as {@code aws ec2 *-key-pair}. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "SSH key pairs.",
        subcommands = {KeysCommand.Create.class, KeysCommand.Import.class, KeysCommand.ListCmd.class, KeysCommand.Delete.class})
public final class KeysCommand {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.of("NAME", "keyName"), Output.Column.of("TYPE", "keyType"),
            Output.Column.of("FINGERPRINT", "keyFingerprint"), Output.Column.of("ID", "keyPairId"));

    /** Where {@code keys create} saves a private key, and where {@code instances ssh} looks for it. */
    static Path keyFile(Path dataDir, String keyName) {
        return dataDir.resolve("keys").resolve(keyName + ".pem");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key pair and save its private key (shown only once) to <data-dir>/keys/NAME.pem.")
    static final class Create extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--type", defaultValue = "ed25519", description = "ed25519 or rsa (default ${DEFAULT-VALUE})")
        String type;
        @Option(names = "--private-key-file", description = "where to save the private key instead")
        Path file;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.post("/key-pairs", Map.of("keyName", name, "keyType", type));
            Path target = file != null ? file : keyFile(options.dataDir, name);
            try {
                Files.createDirectories(target.toAbsolutePath().getParent());
                Files.deleteIfExists(target);
                Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(target, r.path("keyMaterial").asText(), StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                throw new CliException("created key pair " + name + " but could not save its private key to " + target + ": " + e.getMessage());
            }
            if (out.isJson()) {
                out.object(r);
            } else {
                System.out.println("key pair " + name + " (" + r.path("keyType").asText() + ", " + r.path("keyFingerprint").asText() + ")");
                System.out.println("private key saved to " + target);
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Import an OpenSSH public key.")
    static final class Import extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--public-key-file", required = true, description = "e.g. ~/.ssh/id_ed25519.pub")
        Path file;

        @Override
        protected int run(NuboClient client, Output out) {
            String material;
            try {
                material = Files.readString(file).trim();
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("keyName", name);
            body.put("publicKeyMaterial", material);
            out.object(client.post("/key-pairs/import", body));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List key pairs.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/key-pairs");
            out.rows(r, r, COLUMNS);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a key pair.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.delete("/key-pairs/" + name));
            return 0;
        }
    }
}
