package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * An asynchronous QMP event, such as {@code SHUTDOWN}, {@code STOP}, {@code RESUME} or
 * {@code DEVICE_DELETED}. {@code data} is QEMU's {@code data} object, or an empty object when the
 * event has none; {@code timestamp} is QEMU's own clock at the event.
 */
public record QmpEvent(String name, JsonNode data, Instant timestamp) {
}
