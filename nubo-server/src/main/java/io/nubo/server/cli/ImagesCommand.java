package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code nubo images ...}. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List images.", subcommands = ImagesCommand.ListCmd.class)
public final class ImagesCommand {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the images you can launch.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/images");
            out.rows(r, r, List.of(Output.Column.of("ID", "imageId"), Output.Column.of("NAME", "name"),
                    Output.Column.of("STATE", "state"), Output.Column.of("FORMAT", "format"), Output.Column.of("OWNER", "ownerId"),
                    Output.Column.of("PUBLIC", "isPublic")));
            return 0;
        }
    }
}
