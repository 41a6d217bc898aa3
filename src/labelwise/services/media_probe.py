"""Facts about a media file, computed on the server when it is imported.

``probe(path, kind)`` returns what ``validate_result`` checks results against (``meta.media.<field>``):
images ``width``/``height`` as displayed (EXIF orientation applied), audio ``duration``/``sample_rate``/
``samples``/``channels``, video ``frames``/``fps``/``duration``/``width``/``height``, time series
``samples`` and ``channels``. Derived files (waveform peaks, columns of a series) are written next to the
media by ``services.media_views`` when first needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labelwise.errors import Invalid

IMAGE_EXT = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff"})
AUDIO_EXT = frozenset({".wav", ".flac", ".ogg", ".oga", ".mp3", ".aiff", ".aif", ".opus"})
VIDEO_EXT = frozenset({".mp4", ".webm", ".mov", ".mkv", ".m4v", ".ogv", ".avi"})
SERIES_EXT = frozenset({".csv", ".parquet", ".tsv"})
KIND_OF_EXT = {**{e: "image" for e in IMAGE_EXT}, **{e: "audio" for e in AUDIO_EXT},
               **{e: "video" for e in VIDEO_EXT}, **{e: "timeseries" for e in SERIES_EXT}}
TIME_COLUMNS = ("time", "t", "timestamp", "ts", "seconds")
ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


def kind_of(name: str) -> str | None:
    return KIND_OF_EXT.get(Path(name).suffix.lower())


def probe(path: Path, kind: str) -> dict[str, Any]:
    """The facts of one file; Invalid (naming the reason) when it cannot be read as ``kind``."""
    try:
        return PROBES[kind](path)
    except Invalid:
        raise
    except Exception as exc:  # every decoder has its own errors: report them, never crash the import
        reason = str(exc).replace(str(path), "the file")  # never show the server's folders
        raise Invalid(f"cannot read as {kind}: {type(exc).__name__}: {reason}") from None


def image_facts(path: Path) -> dict[str, Any]:
    from PIL import Image

    with Image.open(path) as img:
        img.verify()  # a damaged PNG fails here, not in the annotator's browser
    with Image.open(path) as img:
        width, height = img.size
        orientation = int(img.getexif().get(0x0112, 1) or 1)
    if orientation in ROTATED:  # the size ImageOps.exif_transpose gives, without decoding the pixels
        width, height = height, width
    facts: dict[str, Any] = {"width": width, "height": height}
    if orientation != 1:
        facts["orientation"] = orientation
    return facts


def audio_facts(path: Path) -> dict[str, Any]:
    import soundfile

    info = soundfile.info(str(path))
    if not info.samplerate or info.frames <= 0:
        raise Invalid("cannot read as audio: no samples")
    return {"duration": info.frames / info.samplerate, "sample_rate": int(info.samplerate),
            "samples": int(info.frames), "channels": int(info.channels)}


def video_facts(path: Path) -> dict[str, Any]:
    try:
        import av
    except ImportError:  # pragma: no cover - PyAV is in the media extra
        raise Invalid("cannot read video: install labelwise[media] (PyAV)") from None
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        width, height = stream.codec_context.width, stream.codec_context.height
        frames = int(stream.frames or 0)
        if frames <= 0:  # WebM and some MP4s do not say: count packets (no decoding)
            frames = sum(1 for packet in container.demux(stream) if packet.size)
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / 1_000_000
        else:
            duration = frames / fps if fps else 0.0
    if not fps or frames <= 0:
        raise Invalid("cannot read as video: no frame rate or no frames")
    return {"frames": frames, "fps": round(fps, 6), "duration": round(duration or frames / fps, 6),
            "width": int(width), "height": int(height)}


def read_table(path: Path) -> Any:
    import pandas as pd

    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")


def series_columns(frame: Any) -> tuple[str | None, list[str]]:
    """(the time column or None, the numeric value columns)."""
    import pandas as pd

    numeric = [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    time = next((c for c in numeric if c.lower() in TIME_COLUMNS), None)
    return time, [c for c in numeric if c != time]


def series_facts(path: Path) -> dict[str, Any]:
    frame = read_table(path)
    time, channels = series_columns(frame)
    if not channels:
        raise Invalid("cannot read as a time series: no numeric column")
    facts: dict[str, Any] = {"samples": len(frame), "channels": channels}
    if time is not None:
        facts["time_column"] = time
        if len(frame):
            facts["duration"] = float(frame[time].iloc[-1] - frame[time].iloc[0])
    return facts


PROBES = {"image": image_facts, "audio": audio_facts, "video": video_facts, "timeseries": series_facts}
