package dev.vramplan.input;

import java.util.Arrays;
import java.util.List;

/** An enum whose constants have the lowercase names users write in YAML and on the command line. */
public interface Named {
    String id();

    static <E extends Enum<E> & Named> E byId(Class<E> type, String id) {
        for (E e : type.getEnumConstants()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    static <E extends Enum<E> & Named> List<String> ids(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Named::id).toList();
    }
}
