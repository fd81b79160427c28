export {
  createStorage,
  createS3Client,
  type Storage,
  type StoredObject,
  type ObjectInfo,
  type ListedObject,
  type WriteOptions,
} from "./s3-storage.ts";
export {
  StorageUnavailableError,
  ObjectNotFoundError,
  isStorageOutage,
  classifyStorageError,
} from "./errors.ts";
export { UploadMeter, UploadTooLargeError, type UploadMeterOptions } from "./upload-meter.ts";
export {
  storeContentAddressed,
  storeMetered,
  type ContentAddressedObject,
  type ContentAddressedOptions,
  type MeteredOptions,
  type StoredUpload,
} from "./content-addressed.ts";
export {
  IMAGE_PREFIX,
  IMPORT_PREFIX,
  TEMP_PREFIX,
  PUBLIC_IMAGE_KEY,
  imageKey,
  importKey,
  tempKey,
  thumbnailKey,
} from "./keys.ts";

/** Images never change under a key (content-addressed): every cache may keep them for a year. */
export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";
