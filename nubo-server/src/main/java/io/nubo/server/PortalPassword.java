package io.nubo.server;

import io.nubo.control.users.UserService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The first operator's portal sign-in, beside the credentials file, mode 0600. */
public final class PortalPassword {
    private PortalPassword() {
    }

    public static Path file(Path dataDir) {
        return dataDir.resolve("portal-password");
    }

    public static void write(Path dataDir, UserService.FirstAdmin admin) {
        String text = "# The Nubo portal's first operator (sign in at /ui/)\n"
                + "email = " + admin.email() + "\n"
                + "password = " + admin.password() + "\n";
        try {
            Files.createDirectories(dataDir);
            Path tmp = dataDir.resolve("portal-password.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text);
            Files.move(tmp, file(dataDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
