package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code nubo instances ssh ID [COMMAND...]}: OpenSSH to the guest with the instance's key and forwarded port. */
@Command(name = "ssh", mixinStandardHelpOptions = true, description = "Open an SSH session to an instance (as root).")
final class SshCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "INSTANCE-ID")
    String id;
    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "a command to run instead of a shell")
    List<String> command = new ArrayList<>();
    @Option(names = {"-i", "--identity"}, description = "private key (default: <data-dir>/keys/<key-name>.pem)")
    Path identity;

    @Override
    protected int run(NuboClient client, Output out) {
        JsonNode i = client.get("/instances/" + id);
        if (!i.path("state").path("name").asText().equals("running") || !i.path("ssh").isObject()) {
            throw new CliException("IncorrectInstanceState", id + " is " + i.path("state").path("name").asText() + " and has no SSH endpoint yet");
        }
        Path key = identity;
        if (key == null) {
            if (!i.path("keyName").isTextual()) {
                throw new CliException(id + " was launched without a key pair: pass -i <private key>");
            }
            key = KeysCommand.keyFile(options.dataDir, i.path("keyName").asText());
        }
        if (!Files.isReadable(key)) {
            throw new CliException("no private key at " + key + ": pass -i <private key>");
        }
        List<String> cmd = new ArrayList<>(List.of("ssh", "-i", key.toString(), "-p", i.path("ssh").path("port").asText(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "root@" + i.path("ssh").path("host").asText()));
        cmd.addAll(command);
        try {
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new CliException("cannot run ssh (is openssh-client installed?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
