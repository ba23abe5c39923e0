package io.nubo.core.model;

import java.util.Locale;

/**
 * Guest architectures. Hosts report them as the kernel names them ({@code x86_64}, {@code aarch64});
 * images carry EC2's names ({@code x86_64}, {@code arm64}). This is the one place that matches the two.
 */
public final class Architectures {
    public static final String X86_64 = "x86_64";
    public static final String AARCH64 = "aarch64";

    private Architectures() {
    }

    /** The host architecture that runs an image of EC2 architecture {@code imageArchitecture}. */
    public static String hostArchitectureFor(String imageArchitecture) {
        if (imageArchitecture == null || imageArchitecture.isBlank()) {
            return X86_64;
        }
        return switch (imageArchitecture) {
            case "arm64" -> AARCH64;
            default -> imageArchitecture;
        };
    }

    /** This machine's architecture, from the JVM's name for it. */
    public static String ofThisMachine() {
        String arch = System.getProperty("os.arch", X86_64).toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86-64", "x86_64" -> X86_64;
            case "arm64", "aarch64" -> AARCH64;
            default -> arch;
        };
    }
}
