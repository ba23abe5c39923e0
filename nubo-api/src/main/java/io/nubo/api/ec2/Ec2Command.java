package io.nubo.api.ec2;

/**
 * One EC2 action's request, parsed and typed. Executing it calls the services and returns what to
 * answer; it never sees HTTP. Under {@code DryRun} it is executed with every transaction rolled
 * back, so it validates exactly as the real call would.
 */
@FunctionalInterface
public interface Ec2Command {
    Ec2Reply execute(Ec2Context context);
}
