package dev.vramplan.estimate;

import dev.vramplan.catalog.Framework;

/**
 * What a YOLO training loss keeps beside the network, per image, read from the frameworks' loss code.
 *
 * <p>YOLOv8 and YOLO11 (ultralytics/utils/loss.py {@code v8DetectionLoss}, ultralytics/utils/tal.py
 * {@code TaskAlignedAssigner}, ultralytics/ultralytics commit 002217d4, 8.3.x): the loss compares every anchor
 * point (grid cell of every Detect level) with every labelled box of its image, so besides tensors of anchors ×
 * classes it builds tensors of batch × boxes × anchors; the number of boxes is the most any image of the batch
 * has ({@code preprocess} pads each image's targets to {@code counts.max()}). YOLOv5 (ultralytics/yolov5
 * utils/loss.py {@code ComputeLoss}, v7.0) builds its targets from the labelled boxes only ({@code build_targets}:
 * boxes × anchors × offsets, a few kilobytes) and takes the class loss at the positive cells only; what grows with
 * the image is the objectness target {@code tobj} and its loss.
 */
final class DetectorLoss {
    /**
     * Labelled boxes in the busiest image of a batch when nobody says: 60. COCO train2017, the set Ultralytics'
     * weights and logs come from, holds 860,001 boxes in 117,266 labelled images (7.3 per image); Ultralytics trains
     * on mosaics of four images, about 29 boxes per mosaic, and the padding follows the busiest mosaic of the batch,
     * taken here as twice the mean. Not fitted to a measurement; a team with its own data sets {@code max_objects}.
     */
    static final int TYPICAL_MAX_OBJECTS = 60;

    /** DFL: 16 distribution bins per box side (Detect.reg_max), 4 sides. */
    private static final int DFL_CHANNELS = 4 * 16;

    private DetectorLoss() {}

    /**
     * Bytes the v8/v11 loss keeps for backward per image (e: bytes per activation element).
     * {@code preds.permute(0, 2, 1).contiguous()} copies box and class maps (e·A·(64 + nc)); bbox_decode's softmax
     * over the 16 bins, which autocast runs in fp32 and keeps (4·A·64); the assigned target scores in fp32
     * (4·A·nc); and BCEWithLogitsLoss(reduction="none"), which autocast runs in fp32, keeps fp32 copies of the
     * class logits and of the targets (8·A·nc). Box, IoU and DFL terms touch the positive anchors only.
     */
    static double v8SavedBytesPerImage(double anchors, int nc, int e) {
        return anchors * (e * (DFL_CHANNELS + nc) + 4.0 * DFL_CHANNELS + 4.0 * nc + 8.0 * nc);
    }

    /**
     * The assigner's working set per image at its peak, freed before backward (it runs under torch.no_grad), for
     * n boxes and A anchors: the larger of
     * <ul>
     * <li>select_candidates_in_gts: {@code xy_centers[None] - lt} and {@code rb - xy_centers[None]} (fp32, 2 values:
     * 8 bytes each) and their concatenation (16 bytes) per box and anchor: 32·n·A;</li>
     * <li>get_targets, with mask_pos, align_metric and overlaps alive (fp32, 12·n·A): the int64 one-hot
     * {@code target_scores} (8), the fp32 {@code fg_mask.repeat} (4), its bool comparison (1) and the int64
     * {@code torch.where} result (8) per anchor and class: 12·n·A + 21·A·nc.</li>
     * </ul>
     */
    static double assignerPeakBytesPerImage(double anchors, int nc, int maxObjects) {
        double inGts = 32.0 * maxObjects * anchors;
        double targets = 12.0 * maxObjects * anchors + 21.0 * anchors * nc;
        return Math.max(inGts, targets);
    }

    /** MMYOLO's YOLOv8 assigner keeps the top 10 anchors per box (configs/yolov8 {@code topk=10}). */
    static final int MMYOLO_TOPK = 10;

    /**
     * The same for the framework that runs the loss. MMYOLO's {@code BatchTaskAlignedAssigner.select_topk_candidates}
     * (open-mmlab/mmyolo mmyolo/models/task_modules/assigners/batch_task_aligned_assigner.py, v0.6.0 8c4d9dc) marks
     * the top anchors with {@code F.one_hot(topk_idxs, num_priors).sum(axis=-2)}: an int64 one-hot of boxes × topk ×
     * anchors (8·topk bytes per box and anchor) and its int64 sum (8), while the fp32 alignment metric, overlaps and
     * in-box mask are alive (12): 100 bytes per box and anchor at topk 10, where Ultralytics counts with an int8
     * {@code scatter_add_}.
     */
    static double assignerPeakBytesPerImage(double anchors, int nc, int maxObjects, Framework fw) {
        double ultralytics = assignerPeakBytesPerImage(anchors, nc, maxObjects);
        if (fw != Framework.MMYOLO) {
            return ultralytics;
        }
        return Math.max(ultralytics, (8.0 * MMYOLO_TOPK + 8 + 12) * maxObjects * anchors);
    }

    /**
     * Bytes the YOLOv5 loss keeps per image: per level {@code tobj = torch.zeros(pi.shape[:4], dtype=pi.dtype)}
     * (e bytes per anchor and cell) and BCEobj on {@code pi[..., 4]}, which autocast runs in fp32, keeping fp32 copies
     * of the objectness logits and of tobj (8 bytes).
     */
    static double v5SavedBytesPerImage(double gridCells, int anchorsPerCell, int e) {
        return (e + 8.0) * anchorsPerCell * gridCells;
    }
}
