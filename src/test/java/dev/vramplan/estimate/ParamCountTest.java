package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.Model;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Parameters derived from each shipped architecture match the count its authors published (source in
 * catalog/models.yaml beside each entry). The v1 contract is 2%; we hold 1%.
 */
class ParamCountTest {
    @TestFactory
    Stream<DynamicTest> everyShippedModelMatchesItsPublishedCount() {
        return Shipped.catalog().models().values().stream()
                .map(m -> DynamicTest.dynamicTest(m.id(), () -> {
                    long derived = Estimator.params(m.architecture());
                    double error = Math.abs((double) derived / m.publishedParams() - 1);
                    assertThat(error)
                            .as("%s: derived %,d vs published %,d", m.id(), derived, m.publishedParams())
                            .isLessThan(0.01);
                }));
    }

    /** Exact counts, as `sum(p.numel() for p in model.parameters())` prints them. */
    @Test
    void exactCountsOfWellKnownModels() {
        // Ultralytics yolov8.yaml scale comment: "YOLOv8n summary: 225 layers, 3157200 parameters"
        assertThat(params("yolov8n")).isEqualTo(3_157_200L);
        // yolo11.yaml: "YOLO11n summary: 319 layers, 2624080 parameters"
        assertThat(params("yolo11n")).isEqualTo(2_624_080L);
        // torchvision ResNet50_Weights.IMAGENET1K_V1 num_params
        assertThat(params("resnet50")).isEqualTo(25_557_032L);
        // torchvision ViT_B_16_Weights num_params
        assertThat(params("vit-b16")).isEqualTo(86_567_656L);
        // Llama 2 7B: 32·(4·4096² + 3·4096·11008 + 2·4096) + 2·32000·4096 + 4096 = 6,738,415,616
        assertThat(params("llama-2-7b")).isEqualTo(6_738_415_616L);
        // bert-base-uncased with pooler: 109,482,240 (keras-hub bert presets list the same)
        assertThat(params("bert-base-uncased")).isEqualTo(109_482_240L);
    }

    static long params(String id) {
        Model m = Shipped.catalog().model(id);
        return Estimator.params(m.architecture());
    }
}
