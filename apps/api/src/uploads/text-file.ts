import { HttpProblem } from "../http/problem.ts";

/** Bytes inspected to tell a text file from a binary one. */
export const TEXT_HEAD_BYTES = 4096;

const BINARY_SIGNATURES = [
  Buffer.from([0x89, 0x50, 0x4e, 0x47]), // PNG
  Buffer.from([0xff, 0xd8, 0xff]), // JPEG
  Buffer.from("PK\u0003\u0004", "latin1"), // zip, xlsx, docx
  Buffer.from([0x1f, 0x8b]), // gzip
  Buffer.from("%PDF", "latin1"),
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), // legacy Office (xls)
];

/**
 * Refuses a file that is not text, from its first bytes: a known binary signature or a NUL
 * byte (which no CSV has). A spreadsheet saved as .xlsx instead of .csv is the usual case, and
 * it is better refused here (415) than reported as a million bad rows.
 */
export function assertTextFile(head: Buffer): void {
  if (head.length === 0) {
    throw new HttpProblem({ status: 400, title: "Bad Request", detail: "the file is empty" });
  }
  const binary =
    BINARY_SIGNATURES.some((signature) => head.subarray(0, signature.length).equals(signature)) ||
    head.includes(0);
  if (binary) {
    throw new HttpProblem({
      status: 415,
      title: "Unsupported Media Type",
      detail: "the file is not a CSV text file (save the spreadsheet as CSV, UTF-8)",
    });
  }
}
