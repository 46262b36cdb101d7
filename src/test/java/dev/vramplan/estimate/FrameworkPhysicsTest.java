package dev.vramplan.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vramplan.Shipped;
import dev.vramplan.catalog.CnnSpec;
import dev.vramplan.catalog.Finetune;
import dev.vramplan.catalog.Framework;
import dev.vramplan.catalog.Mode;
import dev.vramplan.catalog.Model;
import dev.vramplan.catalog.Offload;
import dev.vramplan.catalog.Optimizer;
import dev.vramplan.catalog.Precision;
import dev.vramplan.catalog.Quantization;
import dev.vramplan.catalog.TransformerSpec;
import dev.vramplan.catalog.YoloSpec;
import org.junit.jupiter.api.Test;

/** The terms read from the frameworks' own code, each against numbers worked out by hand from that code. */
class FrameworkPhysicsTest {
    static Model model(String id) {
        return Shipped.catalog().model(id);
    }

    static TransformerSpec transformer(String id) {
        return (TransformerSpec) model(id).architecture();
    }

    @Test
    void litgptAdapterCountsAreThoseLitgptPublishes() {
        // LitGPT's resource tables (tutorials/resource-tables.md) print the trainable counts: adapter 573,888 and
        // adapter-v2 2,125,248 for StableLM-alpha-3B; 1,229,760 and 4,279,744 for Llama 2 7B.
        // adapter: (layers − adapter_start_layer 2) × (adapter_prompt_length 10 × hidden + one gating factor per head)
        assertThat(LitgptAdapters.trainableParams(transformer("stablelm-base-alpha-3b"), Finetune.ADAPTER))
                .isEqualTo((16 - 2) * (10 * 4096 + 32))
                .isEqualTo(573_888);
        assertThat(LitgptAdapters.trainableParams(transformer("llama-2-7b"), Finetune.ADAPTER))
                .isEqualTo((32 - 2) * (10 * 4096 + 32))
                .isEqualTo(1_229_760);
        // adapter-v2 adds a bias and a scale per output of every linear layer (qkv, proj, MLP, LM head) and the norms
        // StableLM (GPT-NeoX, LayerNorm with bias, 4h MLP): 16 × (2 × (3·4096 + 4096 + 16384 + 4096) + 2 norms ×
        // 2·4096)
        //   + LM head 2 × 50688 + ln_f 2·4096
        assertThat(LitgptAdapters.trainableParams(transformer("stablelm-base-alpha-3b"), Finetune.ADAPTER_V2))
                .isEqualTo(573_888 + 16 * (2 * (3 * 4096 + 4096 + 16384 + 4096) + 2 * 2 * 4096) + 2 * 50688 + 2 * 4096)
                .isEqualTo(2_125_248);
        // Llama 2 (RMSNorm weight only, gated MLP with fc_1 and fc_2): 32 × (2 × (3·4096 + 4096 + 2·11008 + 4096) +
        // 2·4096)
        //   + LM head 2 × 32000 + ln_f 4096
        assertThat(LitgptAdapters.trainableParams(transformer("llama-2-7b"), Finetune.ADAPTER_V2))
                .isEqualTo(1_229_760 + 32 * (2 * (3 * 4096 + 4096 + 2 * 11008 + 4096) + 2 * 4096) + 2 * 32000 + 4096)
                .isEqualTo(4_279_744);
    }

    @Test
    void litgptAdaptersKeepWhatTheirForwardNeeds() {
        TransformerSpec t = transformer("llama-2-7b");
        double s = 1304;
        int e = 2;
        double perLayer =
                TransformerMath.savedBytesPerLayer(t, 1, s, e, true, 0, e, true, false, new Projections(3, 2));
        double outer = TransformerMath.outerSavedBytes(t, 1, s, e, false);
        // adapter: nothing below layer 2; the 30 adapted layers keep their frozen activations and the prompt attention
        // output
        assertThat(LitgptAdapters.savedBytesPerSample(t, Finetune.ADAPTER, s, e, perLayer, outer))
                .isCloseTo(30 * perLayer + outer + 30 * 2 * 1304 * 4096.0, within(1.0));
        // adapter-v2: every layer, plus each linear layer's biased output (the scale's other factor), the LM head's too
        assertThat(LitgptAdapters.savedBytesPerSample(t, Finetune.ADAPTER_V2, s, e, perLayer, outer))
                .isCloseTo(
                        32 * (perLayer + 2 * 1304 * (3 * 4096 + 4096 + 2 * 11008 + 4096.0))
                                + outer
                                + 2 * 1304 * 32000.0
                                + 30 * 2 * 1304 * 4096.0,
                        within(1.0));
    }

    @Test
    void yolov8AssignerAndLossFromTalPyAndLossPy() {
        Model m = model("yolov8n");
        VisionNet n = VisionNet.yolo((YoloSpec) m.architecture(), 640);
        // anchor points: strides 8, 16, 32 at 640 px
        assertThat(n.gridCells).isEqualTo(80 * 80 + 40 * 40 + 20 * 20).isEqualTo(8400);
        // 60 boxes, 80 classes: max(select_candidates_in_gts 32·n·A, get_targets 12·n·A + 21·A·nc)
        assertThat(DetectorLoss.assignerPeakBytesPerImage(8400, 80, 60))
                .isEqualTo(Math.max(32.0 * 60 * 8400, 12.0 * 60 * 8400 + 21.0 * 8400 * 80))
                .isEqualTo(20_160_000.0);
        // a crowded image: the in-box test dominates
        assertThat(DetectorLoss.assignerPeakBytesPerImage(8400, 1, 300)).isEqualTo(32.0 * 300 * 8400);
        // MMYOLO's int64 one-hot of the top 10 anchors per box and its int64 sum, beside three fp32 maps: 100 bytes
        assertThat(DetectorLoss.assignerPeakBytesPerImage(8400, 80, 60, Framework.MMYOLO))
                .isEqualTo((8.0 * 10 + 8 + 12) * 60 * 8400);
        assertThat(DetectorLoss.assignerPeakBytesPerImage(8400, 80, 60, Framework.ULTRALYTICS))
                .isEqualTo(DetectorLoss.assignerPeakBytesPerImage(8400, 80, 60));
        // 16-bit maps: contiguous copies 2·(64 + 80), DFL softmax 4·64, targets 4·80, BCE's fp32 copies 8·80, per
        // anchor
        assertThat(DetectorLoss.v8SavedBytesPerImage(8400, 80, 2))
                .isEqualTo(8400 * (2 * 144 + 256 + 320 + 640.0))
                .isEqualTo(12_633_600.0);
        // YOLOv5: tobj (16-bit) and BCEobj's two fp32 copies per anchor and cell
        assertThat(DetectorLoss.v5SavedBytesPerImage(8400, 3, 2)).isEqualTo(10.0 * 3 * 8400);
    }

    @Test
    void theAssignerWorksOnlyInARealTrainingStepAndGrowsWithTheBoxes() {
        Model m = model("yolov8n");
        EstimateRequest profile = new EstimateRequest(
                m,
                Shipped.catalog().gpu("t4"),
                Mode.TRAIN,
                Precision.AMP_FP16,
                16,
                640,
                null,
                Optimizer.NONE,
                Setup.defaults());
        EstimateRequest few = new EstimateRequest(
                m,
                Shipped.catalog().gpu("t4"),
                Mode.TRAIN,
                Precision.AMP_FP16,
                16,
                640,
                null,
                Optimizer.SGD,
                Setup.defaults().withMaxObjects(10));
        EstimateRequest many = new EstimateRequest(
                m,
                Shipped.catalog().gpu("t4"),
                Mode.TRAIN,
                Precision.AMP_FP16,
                16,
                640,
                null,
                Optimizer.SGD,
                Setup.defaults().withMaxObjects(300));
        long w = Estimator.estimate(profile).breakdown().get(Component.WORKSPACE);
        long wFew = Estimator.estimate(few).breakdown().get(Component.WORKSPACE);
        long wMany = Estimator.estimate(many).breakdown().get(Component.WORKSPACE);
        // 300 boxes: the in-box test, 32 bytes × 16 images × 300 boxes × 8400 anchors, replaces the smaller transient
        assertThat(wMany - wFew)
                .isEqualTo((long) (32.0 * 16 * 300 * 8400) - (long) (16 * (12.0 * 10 * 8400 + 21.0 * 8400 * 80)));
        assertThat(wFew).isGreaterThan(w);
    }

    @Test
    void prefillLogitsOfTheLastPositionOutsideLitgpt() {
        TransformerSpec t = transformer("llama-3-8b");
        // transformers' generate: logits_to_keep = 1, then an fp32 copy of them
        assertThat(PrefillLogits.bytesPerSample(t, 2048, 2, Framework.HF_TRANSFORMERS))
                .isEqualTo(2.0 * 128256 + 4.0 * 128256);
        assertThat(PrefillLogits.bytesPerSample(t, 2048, 2, Framework.VLLM)).isEqualTo(6.0 * 128256);
        // LitGPT's GPT.forward: the LM head on every prompt position
        assertThat(PrefillLogits.bytesPerSample(t, 2048, 2, Framework.LITGPT))
                .isEqualTo(2.0 * 2048 * 128256 + 4.0 * 128256);
    }

    @Test
    void peftKeepsAdaptersAndNonQuantizedParametersInFp32() {
        assertThat(Peft.adapterDtype(Framework.HF_TRANSFORMERS, Finetune.LORA)).isEqualTo(Precision.FP32);
        assertThat(Peft.adapterDtype(Framework.LLAMA_FACTORY, Finetune.QLORA)).isEqualTo(Precision.FP32);
        assertThat(Peft.adapterDtype(Framework.LITGPT, Finetune.LORA)).isNull();
        assertThat(Peft.adapterDtype(Framework.HF_TRANSFORMERS, Finetune.FULL)).isNull();
        assertThat(Peft.frozenOtherBytes(Framework.HF_TRANSFORMERS, Finetune.QLORA, 2))
                .isEqualTo(4.0);
        assertThat(Peft.frozenOtherBytes(Framework.LITGPT, Finetune.QLORA, 2)).isEqualTo(2.0);
        assertThat(Peft.frozenOtherBytes(Framework.HF_TRANSFORMERS, Finetune.LORA, 2))
                .isEqualTo(2.0);
    }

    @Test
    void gptqAtEightBitsStoresAByteAWeightAndUnpacksThroughInt32() {
        Model m = model("llama-2-7b");
        EstimateRequest r = serve(
                m,
                "a100-sxm4-80gb",
                Precision.INT8,
                new Setup(Finetune.FULL, null, null, false, true, false, Quantization.GPTQ));
        // 32 blocks × (4 · 4096² attention + 3 · 4096 · 11008 MLP) matrix weights at 1 + 3/128 bytes (AutoGPTQ int8:
        // a byte, and per group of 128 an fp16 scale and an 8-bit zero point); embeddings, head and norms in fp16
        long matrix = 32L * (4L * 4096 * 4096 + 3L * 4096 * 11008);
        assertThat(Estimator.estimate(r).breakdown().get(Component.WEIGHTS))
                .isEqualTo((long) Math.ceil(matrix * (1 + 3 / 128.0) + (6_738_415_616L - matrix) * 2.0));
        // qlinear_cuda_old: int32 shift (4) + int16 copy (2) per weight of the layer being unpacked
        assertThat(Quantization.GPTQ.dequantBytesPerWeight(Precision.INT8)).isEqualTo(6.0);
        assertThat(Quantization.GPTQ.bytesPerWeight(Precision.INT4)).isEqualTo(0.5 + 2.5 / 128);
        assertThat(Quantization.NF4.dequantBytesPerWeight(Precision.INT4)).isEqualTo(2.0);
    }

    @Test
    void resnetKeepsTwoMapsPerConvBnInplaceRelu() {
        VisionNet n = VisionNet.cnn((CnnSpec) model("resnet18").architecture(), 224);
        // input; stem conv out + BN/ReLU out at 112², max-pool out at 56²; BasicBlocks keep 4 maps (two conv outputs,
        // two BN outputs the in-place ReLU and sum were written into), a downsampling block one more (its conv output);
        // the pooled vector
        double expected = 3.0 * 224 * 224
                + 2.0 * 64 * 112 * 112
                + 64.0 * 56 * 56
                + 8.0 * 64 * 56 * 56
                + 9.0 * 128 * 28 * 28
                + 9.0 * 256 * 14 * 14
                + 9.0 * 512 * 7 * 7
                + 512;
        assertThat(n.savedElements).isEqualTo(expected);
    }

    /** Training at batch 1 under amp-bf16 with AdamW on an A100 80GB. */
    private static EstimateRequest ampBf16OnA100(Model m, int seqLen, Setup setup) {
        return new EstimateRequest(
                m,
                Shipped.catalog().gpu("a100-sxm4-80gb"),
                Mode.TRAIN,
                Precision.AMP_BF16,
                1,
                null,
                seqLen,
                Optimizer.ADAMW,
                setup);
    }

    @Test
    void deepSpeedRunsQwenWithoutAutocastSoItsLossKeeps16BitLogits() {
        Model qwen = model("qwen-1.8b");
        EstimateRequest plain = ampBf16OnA100(
                qwen,
                2048,
                new Setup(Finetune.FULL, null, null, true, true, false, null).withFramework(Framework.HF_TRANSFORMERS));
        EstimateRequest zero = plain.withParallelism(new Parallelism(1, Strategy.ZERO3, Offload.NONE));
        // accelerate turns autocast on for the Trainer unless DeepSpeed runs the model
        assertThat(CrossEntropy.deepSpeed(plain, Framework.HF_TRANSFORMERS)).isFalse();
        assertThat(CrossEntropy.deepSpeed(zero, Framework.HF_TRANSFORMERS)).isTrue();
        assertThat(CrossEntropy.deepSpeed(zero, Framework.LITGPT)).isFalse();
        // Qwen's QWenLMHeadModel: CrossEntropyLoss on the 16-bit shift_logits; transformers' classes upcast
        assertThat(CrossEntropy.inFp32(qwen, true)).isFalse();
        assertThat(CrossEntropy.inFp32(qwen, false)).isTrue();
        assertThat(CrossEntropy.inFp32(model("llama-2-7b"), true)).isTrue();
        // the loss's copies: log-softmax and its gradient, 2 × 4 bytes under autocast, 2 × 2 under DeepSpeed; under
        // autocast Qwen's 16-bit shift_logits copy lives beside the fp32 cast: 2 bytes more
        TransformerSpec t = (TransformerSpec) qwen.architecture();
        double s = 2048;
        assertThat(Shape.of(plain, 2, true, Finetune.FULL, true, Framework.HF_TRANSFORMERS, 0, true)
                        .lossBytesPerSample())
                .isEqualTo((2 * 4.0 + 2) * s * t.vocab());
        assertThat(CrossEntropy.shiftedCopyBytes(model("llama-2-7b"), true, 2)).isZero();
        assertThat(Shape.of(zero, 2, true, Finetune.FULL, false, Framework.HF_TRANSFORMERS, 0, false)
                        .lossBytesPerSample())
                .isEqualTo(2 * 2.0 * s * t.vocab());
    }

    @Test
    void autocastCachesTheCastsOfTrainableFp32WeightsOnly() {
        long params = 7_000_000_000L;
        long adapters = 40_000_000L;
        double matrix = 2.0 * 4096 * 11008;
        // full training under amp: every parameter is a trainable fp32 leaf, so every cast is cached
        assertThat(AutocastCache.bytes(Precision.AMP_BF16, null, false, false, 4, params, params, matrix))
                .isEqualTo(2.0 * params);
        // LoRA on an fp32 base under amp: the adapters' casts are cached, a frozen matrix is cast per op
        assertThat(AutocastCache.bytes(Precision.AMP_BF16, null, true, false, 4, adapters, params, matrix))
                .isEqualTo(2.0 * adapters + matrix);
        // PEFT's fp32 adapters beside a bf16 base: the Trainer's --bf16 is autocast, which caches them
        assertThat(AutocastCache.bytes(Precision.BF16, null, true, false, 4, adapters, params, matrix))
                .isEqualTo(2.0 * adapters);
        // ... but not under DeepSpeed, which runs without autocast; nor with adapters in the base's dtype (LitGPT)
        assertThat(AutocastCache.bytes(Precision.BF16, null, true, true, 4, adapters, params, matrix))
                .isZero();
        assertThat(AutocastCache.bytes(Precision.BF16, null, true, false, 2, adapters, params, matrix))
                .isZero();
        // end to end: LoRA of a 7B model under amp-bf16 no longer counts a 16-bit copy of the frozen base
        Model qwen7 = model("qwen-7b");
        EstimateRequest lora = ampBf16OnA100(qwen7, 256, new Setup(Finetune.LORA, null, null, true, true, false, null));
        long workspace = Estimator.estimate(lora).breakdown().get(Component.WORKSPACE);
        assertThat(workspace).isLessThan(2L * TransformerMath.params((TransformerSpec) qwen7.architecture()) / 10);
    }

    @Test
    void litgptQuantizesTheLmHeadAndDequantizesItWholeInPrefill() {
        Model m = model("llama-2-7b");
        TransformerSpec t = (TransformerSpec) m.architecture();
        EstimateRequest r = litgptNf4(m);
        Shape s = Shape.of(r, 2, false, Finetune.FULL, false, Framework.LITGPT, 0, true);
        double lmHead = 32000.0 * 4096;
        // Lightning's BitsandbytesPrecision replaces every nn.Linear, the LM head too; fp16 dequantized, then a bf16
        // copy on an Ampere card: 4 bytes per weight of the largest quantized matrix, the LM head
        LightningBnb.Terms litgpt = LightningBnb.of(r, Framework.LITGPT, Quantization.NF4, Precision.INT4, s);
        assertThat(litgpt.lmHeadParams()).isEqualTo(lmHead);
        assertThat(litgpt.dequantBytes()).isEqualTo(4 * lmHead);
        // a card without bf16 computes in fp16: no second copy
        LightningBnb.Terms t4 = LightningBnb.of(
                serve(m, "t4", Precision.INT4, r.setup()), Framework.LITGPT, Quantization.NF4, Precision.INT4, s);
        assertThat(t4.dequantBytes()).isEqualTo(2 * lmHead);
        // PEFT and transformers keep the LM head 16-bit: the largest block matrix, 4096 × 11008, dequantized to 16 bits
        LightningBnb.Terms hf = LightningBnb.of(r, Framework.HF_TRANSFORMERS, Quantization.NF4, Precision.INT4, s);
        assertThat(hf.lmHeadParams()).isZero();
        assertThat(hf.dequantBytes()).isEqualTo(2.0 * 4096 * 11008);
        assertThat(t.vocab()).isEqualTo(32000);
    }

    @Test
    void litgptGivesATiedModelAnLmHeadOfItsOwn() {
        // Gemma 2B ties its head to the token embedding: 256,000 × 2,048 = 524,288,000 parameters shared
        Model m = model("gemma-2b");
        TransformerSpec t = (TransformerSpec) m.architecture();
        long head = 256_000L * 2_048;
        assertThat(t.tiedEmbeddings()).isTrue();
        Setup bf16 = new Setup(Finetune.FULL, null, null, false, true, false, null);
        long hf = Estimator.estimate(serve(m, "a100-sxm4-80gb", Precision.BF16, bf16))
                .breakdown()
                .get(Component.WEIGHTS);
        long litgpt = Estimator.estimate(
                        serve(m, "a100-sxm4-80gb", Precision.BF16, bf16.withFramework(Framework.LITGPT)))
                .breakdown()
                .get(Component.WEIGHTS);
        // transformers keeps one tensor for both; LitGPT's convert_hf_checkpoint copies wte into lm_head.weight and
        // GPT builds lm_head as its own nn.Linear: 2 bytes more per head parameter
        assertThat(hf).isEqualTo(2 * TransformerMath.params(t));
        assertThat(litgpt - hf).isEqualTo(2 * head);
        // under Lightning's bitsandbytes the own head is quantized with the other linear layers and dequantized whole
        EstimateRequest q = litgptNf4(m);
        Shape s = Shape.of(q, 2, false, Finetune.FULL, false, Framework.LITGPT, 0, true);
        LightningBnb.Terms terms = LightningBnb.of(q, Framework.LITGPT, Quantization.NF4, Precision.INT4, s);
        assertThat(terms.lmHeadParams()).isEqualTo((double) head);
        assertThat(terms.dequantBytes()).isEqualTo(4.0 * head);
        assertThat(s.params()).isEqualTo(TransformerMath.params(t) + head);
        // a model with its own head already holds nothing more
        assertThat(LitgptHead.extraParams(transformer("llama-2-7b"), Framework.LITGPT))
                .isZero();
        assertThat(LitgptHead.extraParams(t, Framework.HF_TRANSFORMERS)).isZero();
    }

    @Test
    void groupedKeysAndValuesAreRepeatedToEveryHeadInTraining() {
        // Llama 3 8B: 32 query heads, 8 key/value heads of 128: repeat_interleave makes keys and values 4,096 wide,
        // 2 × 2 bytes × (4,096 − 1,024) = 12,288 bytes per token and block more than the grouped ones
        Model m = model("llama-3-8b");
        TransformerSpec t = (TransformerSpec) m.architecture();
        assertThat(KvRepeat.extraBytesPerToken(t, Framework.LITGPT, true, 2)).isEqualTo(12_288.0);
        // transformers' repeat_kv before SDPA (with an attention mask) and in eager attention
        assertThat(KvRepeat.extraBytesPerToken(t, Framework.HF_TRANSFORMERS, true, 2))
                .isEqualTo(12_288.0);
        assertThat(KvRepeat.extraBytesPerToken(t, Framework.VLLM, true, 2)).isZero();
        assertThat(KvRepeat.extraBytesPerToken(t, Framework.LITGPT, false, 2)).isZero();
        assertThat(KvRepeat.extraBytesPerToken(transformer("llama-2-7b"), Framework.LITGPT, true, 2))
                .isZero();
        // a full bf16 fine-tune of 512 tokens keeps it in each of the 32 blocks
        EstimateRequest r = new EstimateRequest(
                m,
                Shipped.catalog().gpu("a100-sxm4-80gb"),
                Mode.TRAIN,
                Precision.BF16,
                1,
                null,
                512,
                Optimizer.ADAMW,
                new Setup(Finetune.FULL, null, null, false, true, false, null).withFramework(Framework.LITGPT));
        Shape s = Shape.of(r, 2, true, Finetune.FULL, false, Framework.LITGPT, 0, true);
        Projections modules = Projections.of(m, t, Framework.LITGPT);
        double perBlock = TransformerMath.savedBytesPerLayer(t, 1, 512, 2, true, 0, 2, true, false, modules);
        double outer = TransformerMath.outerSavedBytes(t, 1, 512, 2, false);
        assertThat(s.savedBytesPerSample()).isCloseTo(32 * (perBlock + 512 * 12_288.0) + outer, within(1.0));
    }

    @Test
    void litgptsDequantizedHeadSitsBesideTheLogitsNotTheLossCopies() {
        // Llama 2 7B under LitGPT, NF4 on an A100, one sample of 1,304 tokens: logits 2 × 1,304 × 32,000 bytes, the
        // loss's copies 8 bytes per logit, the head 32,000 × 4,096 dequantized to fp16 and copied to bf16
        Model m = model("llama-2-7b");
        EstimateRequest r = litgptNf4(m);
        Shape s = Shape.of(r, 2, false, Finetune.FULL, false, Framework.LITGPT, 0, true);
        LightningBnb.Terms litgpt = LightningBnb.of(r, Framework.LITGPT, Quantization.NF4, Precision.INT4, s);
        double output = 2.0 * 1_304 * 32_000;
        double loss = 8.0 * 1_304 * 32_000;
        assertThat(litgpt.dequantBytes()).isEqualTo(524_288_000.0);
        // the head side (the weight, this step's logits and the previous step's) exceeds the loss side
        // (the logits and the loss's copies) by 524,288,000 + 166,912,000 − 417,280,000
        assertThat(litgpt.trainingBytes(output, loss)).isEqualTo(273_920_000.0);
        // with a longer vocabulary's loss the loss side covers it all
        assertThat(litgpt.trainingBytes(output, 20 * output)).isZero();
        // transformers dequantize a block's matrix, before the logits exist or after their gradient is used
        LightningBnb.Terms hf = LightningBnb.of(r, Framework.HF_TRANSFORMERS, Quantization.NF4, Precision.INT4, s);
        assertThat(hf.trainingBytes(output, loss)).isZero();
        assertThat(hf.trainingBytes(0, 0)).isEqualTo(2.0 * 4096 * 11008);
    }

    /** Serving {@code m} in NF4 under LitGPT on an A100 80GB. */
    private static EstimateRequest litgptNf4(Model m) {
        return serve(
                m,
                "a100-sxm4-80gb",
                Precision.INT4,
                new Setup(Finetune.FULL, null, null, false, true, false, Quantization.NF4)
                        .withFramework(Framework.LITGPT));
    }

    /** Serving one 512-token prompt. */
    private static EstimateRequest serve(Model m, String gpu, Precision p, Setup setup) {
        return new EstimateRequest(
                m, Shipped.catalog().gpu(gpu), Mode.INFERENCE, p, 1, null, 512, Optimizer.NONE, setup);
    }
}
