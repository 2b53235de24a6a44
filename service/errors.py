"""Russian explanations of the stable error codes: the contract's (a file that gave no plan)
and the service's own (a request that was refused). Codes stay English; people read `detail`."""

from __future__ import annotations

# the contract's codes, as a job's error
JOB_ERRORS: dict[str, str] = {
    "unsupported_format": "формат файла не поддерживается: нужны .docx, .doc, .rtf, .odt, .pdf, "
                          "изображение или zip-архив с ними",
    "corrupt_file": "файл повреждён или защищён паролем",
    "encrypted_pdf": "PDF зашифрован паролем",
    "empty_document": "файл пуст или в архиве нет файлов планов",
    "no_plan_table": "в документе не найдена таблица плана",
    "too_large": "файл слишком велик",
    "timeout": "обработка файла заняла больше отведённого времени",
    "ocr_unavailable": "это скан: нужно распознавание текста, а оно выключено или недоступно",
    "converter_unavailable": "LibreOffice недоступен: файлы .doc, .rtf и .odt сейчас не прочитать",
    "internal_error": "внутренняя ошибка конвертера; сообщите о ней разработчикам",
    "bad_options": "подсказки или настройки не подходят",
}

# the service's codes, as problem+json `code`
API_ERRORS: dict[str, str] = {
    "not_found": "нет такого ресурса",
    "method_not_allowed": "этот метод здесь не поддерживается",
    "invalid_request": "запрос не прошёл проверку",
    "invalid_json": "тело запроса — не JSON",
    "bad_options": "подсказки или настройки не подходят",
    "bad_callback_url": "callback_url должен быть адресом http:// или https://",
    "no_files": "не передано ни одного файла",
    "too_many_files": "слишком много файлов в одном запросе",
    "single_file_expected": "здесь принимается один файл плана, не архив и не несколько файлов",
    "upload_too_large": "загрузка больше допустимого размера",
    "too_many_pages": "в файле больше страниц, чем допускается",
    "not_ready": "результат ещё не готов",
    "expired": "результат удалён по сроку хранения",
    "job_failed": "файл не удалось преобразовать",
    "no_plans": "в пакете нет ни одного готового плана",
    "no_pages": "у этого файла нет страниц для показа",
    "page_out_of_range": "нет страницы с таким номером",
    "idempotency_key_reused": "этот Idempotency-Key уже использован для другого запроса",
    "api_key_required": "нужен ключ API (заголовок Authorization: Bearer …); ключ выдаёт roadmap keys create",
    "invalid_api_key": "ключ API неверен или отозван",
    "cross_site_request": "запрос пришёл не со страницы сервиса и отклонён; откройте страницу сервиса и повторите",
    "rate_limited": "слишком много запросов; повторите позже",
    "not_ready_service": "сервис не готов",
    "internal_error": "внутренняя ошибка сервиса",
}


def job_detail(code: str) -> str:
    return JOB_ERRORS.get(code, "файл не удалось преобразовать")


def api_detail(code: str) -> str:
    return API_ERRORS.get(code, "ошибка запроса")


__all__ = ["API_ERRORS", "JOB_ERRORS", "api_detail", "job_detail"]
