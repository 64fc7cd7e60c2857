"""Why a file or an import is refused: each a clear code, and nothing is stored."""

from __future__ import annotations

from app.errors import AppError


class ImportNotFound(AppError):
    status = 404
    code = "import_not_found"
    message = "导入记录不存在"


class UnknownSource(AppError):
    status = 422
    code = "unknown_source"
    message = "未知的数据来源"


class ImportTooLarge(AppError):
    status = 413
    code = "file_too_large"
    message = "文件过大"


class UnsupportedImportFile(AppError):
    status = 415
    code = "unsupported_file_type"
    message = "只接受 CSV（UTF-8 或 GBK 编码）或 XLSX 文件"


class EmptyImportFile(AppError):
    status = 422
    code = "empty_file"
    message = "文件为空或只有表头"


class HeaderMismatch(AppError):
    status = 422
    code = "header_mismatch"
    message = "表头与数据来源不符"


class UnsafeSpreadsheet(AppError):
    status = 422
    code = "unsafe_spreadsheet"
    message = "XLSX 文件解压后过大或压缩比异常，已拒绝"


class BadImportUpload(AppError):
    status = 422
    code = "invalid_upload"
    message = "请以 multipart/form-data 上传字段 source 和 file"
