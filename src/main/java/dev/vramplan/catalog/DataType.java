package dev.vramplan.catalog;

import dev.vramplan.input.Named;

/** Number formats a card's arithmetic units run natively (datasheet "precisions"). */
public enum DataType implements Named {
    FP32("fp32"),
    TF32("tf32"),
    FP16("fp16"),
    BF16("bf16"),
    FP8("fp8"),
    INT8("int8"),
    INT4("int4");

    private final String id;

    DataType(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static DataType of(String id) {
        return Named.byId(DataType.class, id);
    }
}
