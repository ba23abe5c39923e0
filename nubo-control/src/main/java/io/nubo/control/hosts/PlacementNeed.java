package io.nubo.control.hosts;

import io.nubo.core.model.Architectures;
import io.nubo.core.model.Image;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceType;
import io.nubo.store.Store;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a host must offer an instance beyond vCPUs and memory: the guest architecture of its image,
 * the accelerator its type requires (null: any), and room for its root disk: {@code rootBytes} on
 * the shared pool ({@code onShared}, HA instances) or on the host's local pool. {@code keepsDisk}:
 * the disk exists already where it is (an HA restart from the shared pool), so nothing is claimed.
 */
record PlacementNeed(String architecture, String accelerator, long rootBytes, boolean onShared, boolean keepsDisk) {
    /** The same need, for a disk that stays where it is. */
    PlacementNeed keepingDisk() {
        return new PlacementNeed(architecture, accelerator, 0, onShared, true);
    }

    /** The size a root disk may grow to: the size it was launched with, else its image's. */
    static long rootBytes(Instance i, Image image) {
        return i.rootSizeGib() != null ? (long) i.rootSizeGib() << 30 : image.virtualSizeBytes();
    }

    /**
     * Reads the needs of the instances of one pass, each image and type once. Not thread-safe: one
     * pass, one thread.
     */
    static final class Lookup {
        private final Store s;
        private final boolean sharedPool;
        private final Map<String, Optional<Image>> images = new HashMap<>();
        private final Map<String, Optional<InstanceType>> types = new HashMap<>();

        Lookup(Store s, boolean sharedPool) {
            this.s = s;
            this.sharedPool = sharedPool;
        }

        PlacementNeed of(Instance i) {
            Optional<Image> image = images.computeIfAbsent(i.imageId(), s.images()::find);
            Optional<InstanceType> type = types.computeIfAbsent(i.instanceType(), s.instanceTypes()::find);
            // An HA instance's disk lives on the shared pool when there is one (AgentGateway puts it there).
            return new PlacementNeed(Architectures.hostArchitectureFor(image.map(Image::architecture).orElse(null)),
                    type.map(InstanceType::requiresAccelerator).orElse(null), image.map(img -> rootBytes(i, img)).orElse(0L),
                    i.ha() && sharedPool, false);
        }
    }
}
