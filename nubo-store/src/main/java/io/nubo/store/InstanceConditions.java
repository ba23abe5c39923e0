package io.nubo.store;

import io.nubo.store.InstanceFilter.Condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders an {@link InstanceFilter}'s conditions as SQL over the {@code instances} table. Stateless. */
final class InstanceConditions {
    /** How EC2 prints times; a bound parameter, because Jdbi would read the colons as parameter names. */
    private static final String EC2_TIME = "YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"";

    private InstanceConditions() {
    }

    private static String devicePart(InstanceFilter.DevicePart part, Map<String, Object> binds) {
        return switch (part) {
            case VOLUME_ID -> "b.volume_id";
            case DEVICE_NAME -> "b.device";
            case STATUS -> "b.state";
            case DELETE_ON_TERMINATION -> "b.delete_on_termination::text";
            case ATTACH_TIME -> ec2Time("b.attached_at", binds);
        };
    }

    static void append(StringBuilder sql, Map<String, Object> binds, List<Condition> conditions) {
        for (Condition c : conditions) {
            sql.append(" AND ");
            switch (c) {
                case InstanceFilter.Column col -> sql.append(anyOf(binds, column(col.field(), binds), col.patterns()));
                case InstanceFilter.TagValue t -> {
                    String key = param(binds, t.key());
                    sql.append("EXISTS (SELECT 1 FROM tags t WHERE t.account_id = instances.account_id AND t.resource_id = instances.id"
                            + " AND t.key = :").append(key).append(" AND ").append(anyOf(binds, "t.value", t.patterns())).append(')');
                }
                case InstanceFilter.TagKey t -> sql.append("EXISTS (SELECT 1 FROM tags t WHERE t.account_id = instances.account_id"
                        + " AND t.resource_id = instances.id AND ").append(anyOf(binds, "t.key", t.patterns())).append(')');
                case InstanceFilter.AnyTagValue t -> sql.append("EXISTS (SELECT 1 FROM tags t WHERE t.account_id = instances.account_id"
                        + " AND t.resource_id = instances.id AND ").append(anyOf(binds, "t.value", t.patterns())).append(')');
                case InstanceFilter.GroupId g -> sql.append("EXISTS (SELECT 1 FROM instance_security_groups g"
                        + " WHERE g.instance_id = instances.id AND ").append(anyOf(binds, "g.group_id", g.patterns())).append(')');
                case InstanceFilter.GroupName g -> sql.append("EXISTS (SELECT 1 FROM instance_security_groups g"
                        + " JOIN security_groups sg ON sg.id = g.group_id WHERE g.instance_id = instances.id AND ")
                        .append(anyOf(binds, "sg.name", g.patterns())).append(')');
                case InstanceFilter.PrivateAddress a -> sql.append(privateAddress(binds, a));
                case InstanceFilter.BlockDevice b -> sql.append("EXISTS (SELECT 1 FROM (" + InstancePages.BLOCK_DEVICES + ") b WHERE b.instance_id = instances.id AND ")
                        .append(anyOf(binds, devicePart(b.part(), binds), b.patterns())).append(')');
                case InstanceFilter.Nothing n -> sql.append("false");
            }
        }
    }

    /** The address is computed in SQL from the zone's network and the host number, as InstancePages shows it. */
    private static String privateAddress(Map<String, Object> binds, InstanceFilter.PrivateAddress a) {
        List<String> zones = new ArrayList<>();
        a.networkByZone().forEach((zone, network) -> zones.add("(a.zone = :" + param(binds, zone) + " AND "
                + anyOf(binds, "host(CAST(:" + param(binds, network) + " AS inet) + a.host_number)", a.patterns()) + ")"));
        if (zones.isEmpty()) {
            return "false";
        }
        return "EXISTS (SELECT 1 FROM instance_addresses a WHERE a.instance_id = instances.id AND NOT a.released AND ("
                + String.join(" OR ", zones) + "))";
    }

    /** A timestamp column as EC2 prints times, to match against the filter's patterns. */
    private static String ec2Time(String column, Map<String, Object> binds) {
        return "to_char(" + column + " AT TIME ZONE 'UTC', :" + param(binds, EC2_TIME) + ")";
    }

    private static String column(InstanceFilter.Field f, Map<String, Object> binds) {
        return switch (f) {
            case ID -> "id";
            case STATE -> "state";
            case INSTANCE_TYPE -> "instance_type";
            case IMAGE_ID -> "image_id";
            case KEY_NAME -> "key_name";
            case ZONE -> "availability_zone";
            case RESERVATION_ID -> "reservation_id";
            case OWNER_ID -> "account_id";
            case LAUNCH_TIME -> ec2Time("launch_time", binds);
        };
    }

    /** {@code (expr = :p1 OR expr LIKE :p2 ...)}; an empty list matches nothing. */
    private static String anyOf(Map<String, Object> binds, String expr, List<String> patterns) {
        if (patterns.isEmpty()) {
            return "false";
        }
        List<String> terms = new ArrayList<>();
        for (String p : patterns) {
            if (Wildcards.has(p)) {
                terms.add(expr + " LIKE :" + param(binds, Wildcards.toLike(p)) + " ESCAPE '!'");
            } else {
                terms.add(expr + " = :" + param(binds, Wildcards.literal(p)));
            }
        }
        return "(" + String.join(" OR ", terms) + ")";
    }

    private static String param(Map<String, Object> binds, Object value) {
        String name = "c" + binds.size();
        binds.put(name, value);
        return name;
    }
}
