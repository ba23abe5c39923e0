package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code nubo instances create-image <id> --name N [--no-reboot] [--wait]}: an image of an instance's root disk. */
@Command(name = "create-image", mixinStandardHelpOptions = true,
        description = "Make a private image of an instance's root disk (running or stopped). Without --no-reboot a running instance is "
                + "shut down cleanly for the copy and started again; with it, the disk is copied live (crash-consistent: sync first). "
                + "Prints the new image's ID.")
final class CreateImageCommand extends ClientCommand {
    @Parameters(paramLabel = "INSTANCE-ID")
    String instanceId;

    @Option(names = "--name", required = true, description = "the image's name (3 to 128 characters)")
    String name;

    @Option(names = "--description", description = "a description")
    String description;

    @Option(names = "--no-reboot", description = "copy a running instance's disk without stopping it")
    boolean noReboot;

    @Option(names = "--wait", description = "wait until the image is available, showing progress")
    boolean await;

    @Override
    protected int run(NuboClient client, Output out) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("description", description);
        body.put("noReboot", noReboot);
        JsonNode image = client.post("/instances/" + instanceId + "/create-image", body);
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
}
