#include "usage.hpp"

namespace bik::cli {

namespace {

constexpr char const* kMain = R"(usage: bik <command> [options] [--kokkos-... ]

Bioimage Kernels on Kokkos: per-object image features from HDF5 inputs.

commands:
  measure   measure per-object features of a labelled image, write HDF5 or CSV
  n4        N4 bias-field correction of a 2D or 3D image (ITK/SimpleITK semantics)
  demo      synthesise a Cell-Painting-like 2D scene and a 3D scene, measure them
  info      print the bik and Kokkos versions, backends and Kokkos configuration
  version   print the bik version (also: bik --version)

Run 'bik <command> --help' for a command's options. Options starting with --kokkos- go to
Kokkos. Threads: KOKKOS_NUM_THREADS=N (any Kokkos version) or OMP_NUM_THREADS=N in the
environment, or --kokkos-num-threads=N with Kokkos >= 3.7.
Exit codes: 0 success, 2 error (the message starts with "bik: error:").
)";

constexpr char const* kMeasure =
    R"(usage: bik measure (--pixels FILE.h5:/dataset --labels FILE.h5:/dataset | --list FILE)
                   --out OUT.h5|OUT.csv [--features intensity] [--no-edges] [--legacy]
                   [--backend NAME] [--schedule thread|team|team:N] [--repeat N] [--overwrite]
                   [--subsample-size F] [--image-sample-size F] [--element-size R]
                   [--granular-spectrum-length N] [--cp-measure-3d-background]
                   [--zernike-degree N]

Measures every object (label > 0) of a 2D (Y,X) or 3D (Z,Y,X) label image over a pixel image
of the same shape (a 2D label image is broadcast over the planes of a 3D pixel stack). Many
images in one run: a 4D (B,Z,Y,X) pair of datasets (Z = 1 for 2D images), or --list.

  --pixels FILE:/DS   pixel dataset: uint8..uint64, int8..int64, float32 or float64
  --labels FILE:/DS   label dataset: an integer dtype, values >= 0 (0 is background)
  --list FILE         a text file with one 'PIXELS.h5:/ds LABELS.h5:/ds' pair per line ('#'
                      starts a comment); images of one shape are measured as one batch
  --out PATH          output table; .h5/.hdf5 (datasets 'label' and one per feature, with
                      provenance attributes) or .csv (header 'label,<features>'); for several
                      images also 'image' (0-based position in the batch or list), first
  --features LIST     comma-separated feature groups (default: intensity): intensity;
                      granularity (CellProfiler MeasureGranularity, Granularity_1..N);
                      zernike (cp_measure's get_zernike, Zernike_n_m); radial-zernike
                      (get_radial_zernikes, RadialDistribution_Zernike{Magnitude,Phase}_n_m);
                      all (every group; the 2D-only Zernike groups are left out for 3D
                      input). Columns join per label (one row per present label), in LIST order
  --no-edges          omit the five Intensity_*Edge features (16 instead of 21 columns)
  --legacy            CellProfiler's n*q quantile and 1/ndim MAD conventions
  --backend NAME      execution space to run on (see 'bik info'); default: the fastest
  --schedule S        'thread': one thread per object (the CPU default); 'team': a team of
                      threads per object (the GPU default), 'team:N' with N threads. Same results.
  --repeat N          run the computation N times (benchmarking); default 1
  granularity (CellProfiler MeasureGranularity; labels must have the pixels' shape):
  --subsample-size F  subsampling factor for the spectrum, in (0, 1]; default 0.25
  --image-sample-size F  subsampling factor for the background, in (0, 1]; default 0.25
  --element-size R    radius of the background opening's disk (ball in 3D), >= 0; default 10
  --granular-spectrum-length N  spectrum steps, >= 1 (Granularity_1..N); default 16
  --cp-measure-3d-background  3D: sample the background on cp_measure numpy's grid (N points
                      at k / subsample-size) instead of CellProfiler's (ceil(N * F) points at
                      k / image-sample-size), for results equal to cp_measure's
  --overwrite         replace OUT if it exists (without it, an existing OUT is an error and is
                      left untouched)
  --zernike-degree N  highest radial order n of the Zernike features, 0..99 (default 9: 30 pairs)

The output is written to a temporary file next to OUT and renamed when complete; an error or
an interruption (SIGINT, SIGTERM, SIGHUP) leaves neither OUT nor the temporary file.

Prints a summary on stdout and one line on stderr (transfer: inputs to the backend's memory,
once; compute: the kernels and the copy of the results to the host, per repeat):
  timing read_ms=<x> transfer_ms=<x> compute_ms_min=<x> compute_ms_median=<x> write_ms=<x> repeats=<N> images=<B> backend=<name> threads=<n>
)";

constexpr char const* kDemo = R"(usage: bik demo [--out DIR] [--backend NAME]

Synthesises a 1080x1080 Cell-Painting-like scene (~144 cells) and a 16x96x96 volume (~12
objects), deterministically, then measures their intensity features (edges on) and the 2D
scene's Zernike shape and radial features (degree 9).

  --out DIR           output directory, created if needed (default: bik-demo)
  --backend NAME      execution space to run on (see 'bik info'); default: the fastest

Writes DIR/scene2d.h5 and DIR/scene3d.h5 (/pixels float64, /labels int64), DIR/intensity2d.h5,
DIR/intensity2d.csv, DIR/intensity3d.h5 and DIR/zernike2d.h5, and prints a summary with
per-stage timings. Then runs 'bik n4' (shrink 2) on N4's 32x64x64 bias phantom
(DIR/n4phantom.h5: /image, /mask, the true /bias) into DIR/n4corrected.h5 (/corrected,
/log_bias), and prints the error against the known bias in the mask.
)";

constexpr char const* kN4 =
    R"(usage: bik n4 IN.h5:/dataset --out OUT.h5:/dataset [--mask FILE.h5:/dataset]
              [--mask-label N|nonzero] [--shrink S] [--iterations 50x50x50x50]
              [--convergence 0.001] [--control-points 4] [--fwhm 0.15] [--wiener-noise 0.01]
              [--bins 200] [--bias-out FILE.h5:/dataset] [--sections N [--sections-global]]
              [--backend NAME]
              [--quiet] [--overwrite] [--semantics itk|linumpy] [--spline-distance-mm 10]
              [--voxel-size-mm 1|Z,Y,X] [--global-spline-distance-mm 10]

N4 bias-field correction with the semantics of ITK's N4BiasFieldCorrectionImageFilter (as
SimpleITK runs it): the fit runs on the image subsampled by S (ITK ShrinkImageFilter
placement), over the voxels of the mask (label N, default 1, or any non-zero value), one level
per iteration count with the control lattice doubled between levels; the log bias field is then
evaluated at full resolution and the output is IN / exp(log bias) at every voxel.

  IN.h5:/dataset      2D (Y,X) or 3D (Z,Y,X) image, strictly positive inside the mask
  --out FILE:/DS      the corrected image: float32 for a float32 image, else float64
  --mask FILE:/DS     integer mask of the image's shape (default: every voxel)
  --mask-label N      the mask value to correct (default 1); 'nonzero': any non-zero value
  --shrink S          subsampling factor of the fit (default 1)
  --iterations LIST   maximum iterations per level, joined by 'x' (default 50x50x50x50)
  --convergence T     a level ends once the coefficient of variation of the ratio of
                      successive bias fields is <= T (default 0.001; 0: run every iteration)
  --control-points N  control points per axis at the first level, >= 4 (default 4)
  --fwhm F            FWHM of the bias distribution, log units (default 0.15)
  --wiener-noise Z    Wiener filter noise (default 0.01)
  --bins N            histogram bins (default 200)
  --bias-out FILE:/DS also write the log bias field (same type as --out); may name OUT's file
  --sections N        cut the volume along Z into N sections, planes [round(i Z/N),
                      round((i+1) Z/N)), and correct each independently; each is read,
                      corrected and written before the next, so memory holds one section
  --sections-global   after the sections, a global N4 pass on the whole volume (shrunk by
                      S) of the section-corrected image; the output is IN / exp(section log
                      bias + global log bias), and --bias-out gets that sum. The sections are
                      read twice; memory holds one section and the shrunk volume. linumpy:
                      the global mesh comes from the whole volume's extent and
                      --global-spline-distance-mm, and the output is divided twice, as
                      linumpy's script does: by each bias, in turn
  --backend NAME      execution space to run on (see 'bik info'); default: the fastest
  --quiet             no per-iteration progress
  --overwrite         replace existing output files
  --semantics M       'itk' (default) or 'linumpy': the GPU N4 of linumpy (PR #116): every
                      S-th voxel from 0, log(max(v, 1e-6)), one fixed mesh for all levels,
                      nearest-bin sharpening, a level ends when |update| < T |log bias| (L2
                      over the working grid, tested every 5th iteration); defaults 25x25x25,
                      shrink 4, mask 'nonzero'
  --spline-distance-mm D, --voxel-size-mm V
                      linumpy only: max(4, min(round(size * V / D), working size)) control
                      points per axis (defaults 10 and 1; V is one size or z,y,x)
  --global-spline-distance-mm D
                      linumpy with --sections-global: the global pass's spline distance
                      (default 10, as linumpy's script's global pass)

Progress on stderr, one line per iteration: 'n4: level L/n iteration i/max convergence c'
('n4: section s/N level ...' with --sections, 'n4: global pass level ...' in its global
pass).
A summary on stdout, and 'timing read_ms=<x> compute_ms=<x> write_ms=<x> backend=<name>
peak_rss_mib=<x>' on stderr (the process's peak resident memory). Outputs are written to a
temporary file and renamed when complete.
)";

constexpr char const* kInfo = R"(usage: bik info

Prints the bik and Kokkos versions, the backends compiled in, the default backend, each
backend's concurrency, and Kokkos' configuration.
)";

constexpr char const* kVersion = R"(usage: bik version   (or: bik --version)

Prints "bik <version>".
)";

}  // namespace

std::string usage_text(std::string const& command) {
  if (command == "measure") return kMeasure;
  if (command == "demo") return kDemo;
  if (command == "n4") return kN4;
  if (command == "info") return kInfo;
  if (command == "version") return kVersion;
  return kMain;
}

}  // namespace bik::cli
