package io.nubo.control.hosts;

import io.nubo.control.images.ImageFiles;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.store.Database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Deletes the root disks that terminated HA instances left on the shared pool
 * ({@code <pool>/instances/<id>/}, see {@link AgentGateway#sharedRootDisk}). The instance's own
 * host deletes its disk as it terminates the VM; this sweep catches the rest: an agent that
 * died between stopping the VM and deleting the disk, or a deletion that failed. A
 * disk goes only once its instance is {@code terminated}: every host has stopped its VM (or was
 * fenced) by then. Driven by the database's view, never by the directory alone, so
 * a replica that dies mid-sweep leaves nothing the next sweep anywhere cannot finish, and two
 * replicas sweeping at once only delete the same files twice. Thread-safe.
 */
public final class SharedRootDiskSweeper {
    private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,32}");

    private final Database db;
    private final Path sharedPool;

    public SharedRootDiskSweeper(Database db, Path sharedPool) {
        this.db = db;
        this.sharedPool = sharedPool;
    }

    /** One pass; returns the instances whose disks it deleted. */
    public List<String> sweep() {
        Path dir = sharedPool.resolve("instances");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> ids;
        try (Stream<Path> entries = Files.list(dir)) {
            ids = entries.map(p -> p.getFileName().toString()).filter(n -> INSTANCE.matcher(n).matches()).toList();
        } catch (IOException e) {
            return List.of();
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        List<String> terminated = db.read(s -> ids.stream().filter(id -> s.instances().findAny(id).map(Instance::state)
                .filter(st -> st == InstanceState.TERMINATED).isPresent()).toList());
        terminated.forEach(id -> ImageFiles.deleteTree(dir.resolve(id)));
        return terminated;
    }
}
