package io.nubo.control.volumes;

import java.util.Optional;

/** A ModifyVolume request: a bigger size, another type, IOPS or throughput; multi-attach cannot change. */
public record ModifyVolumeRequest(Optional<Integer> sizeGib, Optional<String> type, Optional<Integer> iops, Optional<Integer> throughput,
                                  Optional<Boolean> multiAttach) {
    public static ModifyVolumeRequest size(int sizeGib) {
        return new ModifyVolumeRequest(Optional.of(sizeGib), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
