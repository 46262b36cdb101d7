package dev.vramplan.answer;

import dev.vramplan.catalog.Limits;
import dev.vramplan.input.Named;
import dev.vramplan.input.Suggest;

/** Checks of one parameter's value, named by its command-line option ({@code --mode}): a closed set, a range. */
public final class Choices {
    private Choices() {}

    /** The HTTP API's name of an option: {@code --seq-len} is {@code seq-len}. */
    static String field(String option) {
        return option.startsWith("--") ? option.substring(2) : option;
    }

    /** The member of a closed set a value names, or a {@link FieldError} listing the set, with did-you-mean. */
    public static <E extends Enum<E> & Named> E choice(String option, String value, Class<E> type) {
        E e = Named.byId(type, value);
        if (e == null) {
            throw FieldError.bad(
                    field(option),
                    option,
                    "\"" + value + "\" is not one of " + String.join(", ", Named.ids(type)) + ".",
                    Suggest.closest(value, Named.ids(type)));
        }
        return e;
    }

    /** A size option outside {@link Limits}: one line naming it, as the catalog's range messages read. */
    public static void range(String option, Number value, long min, long max) {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw FieldError.bad(
                    field(option), option, value + " is out of range: it must be between " + min + " and " + max, null);
        }
    }
}
