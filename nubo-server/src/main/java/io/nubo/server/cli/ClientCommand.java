package io.nubo.server.cli;

import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** A CLI command that talks to the server: errors print their code and message to stderr and exit 1. */
public abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ClientOptions options;

    @Override
    public final Integer call() {
        try {
            return run(options.client(), options.out());
        } catch (CliException e) {
            System.err.println("error: " + (e.code() == null ? "" : e.code() + ": ") + e.getMessage());
            return 1;
        }
    }

    protected abstract int run(NuboClient client, Output out);
}
