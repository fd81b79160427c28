import { HttpProblem } from "../http/problem.ts";

/** The image types strata stores, as decided from their bytes. */
export type ImageType = "image/jpeg" | "image/png" | "image/webp";

/** Bytes needed to recognise every accepted type. */
export const IMAGE_HEAD_BYTES = 12;
/** Bytes kept from the end to check that the image is complete. */
export const IMAGE_TAIL_BYTES = 16;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// A PNG ends with an empty IEND chunk: length 0, "IEND", and its fixed CRC.
const PNG_END = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

const unsupported = () =>
  new HttpProblem({
    status: 415,
    title: "Unsupported Media Type",
    detail: "the file is not a JPEG, PNG or WebP image (judged by its content, not its name)",
  });

/**
 * The type of an image from its first bytes (its magic number). The file name and the
 * declared content type are never consulted: both are whatever the client says.
 */
export function detectImageType(head: Buffer): ImageType {
  if (head.length === 0) {
    throw new HttpProblem({ status: 400, title: "Bad Request", detail: "the file is empty" });
  }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return "image/jpeg";
  }
  if (head.subarray(0, 8).equals(PNG_SIGNATURE)) return "image/png";
  if (
    head.length >= 12 &&
    head.toString("latin1", 0, 4) === "RIFF" &&
    head.toString("latin1", 8, 12) === "WEBP"
  ) {
    return "image/webp";
  }
  throw unsupported();
}

/**
 * Whether the whole image arrived, from its last bytes and its length: a PNG ends with its
 * IEND chunk, a JPEG with the EOI marker (FF D9), and a WebP's RIFF header states its length.
 * Cheap and exact for a cut-off upload; a file damaged in its middle is left to the decoder
 * (the thumbnail job records it as undecodable).
 */
export function checkImageComplete(
  type: ImageType,
  head: Buffer,
  tail: Buffer,
  byteSize: number,
): void {
  let complete: boolean;
  switch (type) {
    case "image/png":
      complete = tail.length >= PNG_END.length && tail.subarray(-PNG_END.length).equals(PNG_END);
      break;
    case "image/jpeg": {
      // Some encoders pad after EOI; tolerate trailing zero bytes.
      let end = tail.length;
      while (end > 0 && tail[end - 1] === 0) end--;
      complete = end >= 2 && tail[end - 2] === 0xff && tail[end - 1] === 0xd9;
      break;
    }
    case "image/webp":
      complete = head.length >= 8 && head.readUInt32LE(4) + 8 === byteSize;
      break;
  }
  if (!complete) {
    throw new HttpProblem({
      status: 422,
      title: "Unprocessable Content",
      detail: `the ${type.slice(6).toUpperCase()} image is truncated or damaged (it does not end where its format says it ends)`,
    });
  }
}
