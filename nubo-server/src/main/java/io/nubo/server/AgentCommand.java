package io.nubo.server;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code nubo agent}: a host agent for another machine. The agent protocol is already the
 * {@code AgentChannel} seam; its HTTP transport comes with multi-host support, so for now this
 * says so plainly instead of pretending.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run a host agent that joins a remote server.")
public final class AgentCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("error: remote agents are not available in this version of Nubo yet: the agent runs inside "
                + "'./nubo up' for now. Multi-host support will add './nubo agent --server <url> --join-token <t>'.");
        return 2;
    }
}
