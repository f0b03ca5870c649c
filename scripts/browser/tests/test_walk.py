"""Issue 11's walk in a real browser: the clerk's, the unit's and the citizen's, in Chinese.

Facts are dated in the past (days before now, Beijing time) so that the unit's duty to lift its
measure after the exit notice is already breached and shows on the board.
"""
import datetime
import os
import urllib.parse

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import PASSWORD, event_count

SHOTS = os.environ.get("SCREENSHOTS", ".build/screenshots")
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def days_ago(n):
    return (datetime.datetime.now(BEIJING) - datetime.timedelta(days=n)).strftime("%Y-%m-%dT%H:%M")


def shot(d, name):
    """The page at desktop and phone size, then back to desktop."""
    for w, h in ((1280, 800), (390, 844)):
        d.set_window_size(w, h)
        d.save_screenshot(os.path.join(SHOTS, f"{name}-{w}x{h}.png"))
    d.set_window_size(1280, 800)


def accessible(d):
    """Every page has lang and a title; every visible field has a label (GB/T 37668, WCAG 1.3.1)."""
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") in ("zh-CN", "en")
    assert d.title.strip(), d.current_url
    for field in d.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), select, textarea"):
        fid = field.get_attribute("id")
        labelled = (fid and d.find_elements(By.CSS_SELECTOR, f"label[for='{fid}']")) or \
            field.find_elements(By.XPATH, "ancestor::label")
        assert labelled, f"{d.current_url}: field {field.get_attribute('name')} has no label"


def submit(d, button):
    """Clicks a submit button and waits for the next page (a click does not wait for navigation)."""
    button.click()
    WebDriverWait(d, 60).until(_left_the_page(button))


def _left_the_page(element):
    """Like expected_conditions.staleness_of, but chromedriver may also answer "Node with given
    id does not belong to the document" while the old page is being replaced: gone as well."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return check


def visit(d, server, path):
    d.get(server["base"] + path)
    accessible(d)


def sign_in(d, server, user):
    visit(d, server, "/login")
    d.find_element(By.ID, "f-user").send_keys(user)
    d.find_element(By.ID, "f-password").send_keys(PASSWORD)
    submit(d, d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))


def set_value(d, element, value):
    d.execute_script("arguments[0].value = arguments[1];", element, value)


def act(d, title, at, fill=None):
    """Opens the act's form on the entry page, fills it, reviews, confirms."""
    summary = next(s for s in d.find_elements(By.CSS_SELECTOR, "details.act summary") if s.text.strip() == title)
    summary.click()
    form = summary.find_element(By.XPATH, "..").find_element(By.TAG_NAME, "form")
    set_value(d, form.find_element(By.NAME, "at"), at)
    if fill:
        fill(form)
    submit(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "确认记录" in d.title, d.page_source
    accessible(d)
    submit(d, d.find_element(By.XPATH, "//button[text()='确认记录']"))
    assert "已记录" in d.page_source, d.page_source


def new_entry(d, server, entry, name, id_number, at):
    visit(d, server, "/entries/new")
    d.find_element(By.ID, "f-entry").send_keys(entry)
    d.find_element(By.ID, "f-case").send_keys(f"(2026)琼9030执{entry}号")
    d.find_element(By.ID, "f-debtor_name").send_keys(name)
    d.find_element(By.ID, "f-debtor_id").send_keys(id_number)
    set_value(d, d.find_element(By.ID, "f-at"), at)
    submit(d, d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))


def test_walk(server, drivers):
    clerk, unit, other, citizen = drivers("clerk"), drivers("unit"), drivers("other"), drivers("citizen")

    # The clerk signs in and creates an entry through the risk notice form.
    visit(clerk, server, "/login")
    shot(clerk, "login")
    sign_in(clerk, server, "clerk-wang")
    assert clerk.current_url.endswith("/entries")
    new_entry(clerk, server, "W1", "网某甲", "460030198001010105", days_ago(100))
    assert "确认记录" in clerk.title, clerk.find_element(By.TAG_NAME, "main").text
    submit(clerk, clerk.find_element(By.XPATH, "//button[text()='确认记录']"))
    assert "/entries/W1" in clerk.current_url and "已记录" in clerk.page_source

    # Inclusion, service, publication, push to the unit: each through its form.
    act(clerk, "作出纳入失信名单决定", days_ago(95),
        lambda f: f.find_element(By.CSS_SELECTOR, "input[value=able_but_refuses]").click())
    act(clerk, "送达纳入决定", days_ago(94))
    act(clerk, "公布名单信息", days_ago(93))
    act(clerk, "推送至联合惩戒单位", days_ago(92),
        lambda f: Select(f.find_element(By.NAME, "unit")).select_by_value("unit:pboc-baisha"))
    assert "白沙黎族自治县人民法院" in clerk.page_source and "court:baisha" in clerk.page_source
    shot(clerk, "entry")

    # A second entry, never pushed: the unit must not open it.
    new_entry(clerk, server, "W2", "网某乙", "460030198001010113", days_ago(100))
    submit(clerk, clerk.find_element(By.XPATH, "//button[text()='确认记录']"))
    visit(clerk, server, "/entries")
    assert "W1" in clerk.page_source and "W2" in clerk.page_source
    shot(clerk, "entries")

    # The citizen finds the entry on the public list, the ID masked; no sign-in, no captcha.
    visit(citizen, server, "/search?name=" + urllib.parse.quote("网某甲"))
    assert "4600301980****0105" in citizen.page_source and "460030198001010105" not in citizen.page_source
    shot(citizen, "search")

    # The unit signs in, sees the pushed entry and applies its measure.
    sign_in(unit, server, "officer-chen")
    visit(unit, server, "/entries")
    assert "W1" in unit.page_source and "W2" not in unit.page_source
    visit(unit, server, "/entries/W1")
    act(unit, "实施惩戒措施", days_ago(91),
        lambda f: Select(f.find_element(By.NAME, "measure")).select_by_value("credit_restriction"))
    # Another unit's entry page is not there (404, as in the API).
    visit(unit, server, "/entries/W2")
    assert "未找到" in unit.title
    sign_in(other, server, "officer-zhao")
    visit(other, server, "/entries/W1")
    assert "未找到" in other.title

    # The clerk shields the entry and tells the unit; a shielded entry offers no second inclusion.
    visit(clerk, server, "/entries/W1")
    act(clerk, "屏蔽名单信息", days_ago(60),
        lambda f: Select(f.find_element(By.NAME, "reason")).select_by_value("discharge"))
    act(clerk, "通知单位退出", days_ago(59),
        lambda f: Select(f.find_element(By.NAME, "unit")).select_by_value("unit:pboc-baisha"))
    summaries = [s.text for s in clerk.find_elements(By.CSS_SELECTOR, "details.act summary")]
    assert "作出纳入失信名单决定" not in summaries and "公布退出信息" in summaries

    # After shielding the public list no longer finds it.
    visit(citizen, server, "/search?name=" + urllib.parse.quote("网某甲"))
    assert "未找到公开的名单信息" in citizen.page_source

    # The unit's duty appears, breached, on its to-do and on the board; it lifts the measure.
    visit(unit, server, "/board")
    assert unit.find_element(By.CSS_SELECTOR, "td.breached").text == "1"
    shot(unit, "board")
    visit(unit, server, "/todo")
    assert "解除惩戒措施" in unit.page_source
    shot(unit, "todo")
    submit(unit, unit.find_element(By.XPATH, "//td/form/button[text()='解除惩戒措施']"))
    assert "确认记录" in unit.title
    submit(unit, unit.find_element(By.XPATH, "//button[text()='确认记录']"))
    assert "已记录" in unit.page_source and "目前没有待办事项" in unit.page_source
    visit(unit, server, "/board")
    assert "没有未完成的期限义务" in unit.page_source

    # The timeline says who recorded each act (the person) in Beijing time.
    visit(clerk, server, "/entries/W1")
    timeline = clerk.find_element(By.CSS_SELECTOR, "table.timeline").text
    assert "clerk-wang" in timeline and "officer-chen" in timeline and "解除惩戒措施" in timeline

    # The accountability report: the court's and its unit's duties, with an inline SVG chart.
    visit(clerk, server, "/report")
    assert "责任追究报告" in clerk.title and clerk.find_elements(By.CSS_SELECTOR, "svg.chart title")
    assert "中国人民银行白沙黎族自治县支行" in clerk.page_source
    shot(clerk, "report")

    # Auditor's page; English switch.
    auditor = drivers("auditor")
    sign_in(auditor, server, "auditor-sun")
    visit(auditor, server, "/audit")
    assert "listledger audit" in auditor.page_source
    shot(auditor, "audit")
    visit(auditor, server, "/entries?lang=en")
    assert auditor.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"


def test_wrong_field_records_nothing(server, drivers):
    clerk = drivers("clerk")
    sign_in(clerk, server, "clerk-wang")
    before = event_count(server)
    new_entry(clerk, server, "W9", "网某丙", "46003019800101010X", days_ago(10))
    error = clerk.find_element(By.ID, "e-debtor_id")
    assert error.text == "「身份证号码或统一社会信用代码」校验位不正确，请核对号码。"
    # The message sits with its field, and the summary at the top links to it.
    assert error.find_element(By.XPATH, "..").find_element(By.ID, "f-debtor_id")
    assert clerk.find_element(By.CSS_SELECTOR, ".error-summary a").get_attribute("href").endswith("#f-debtor_id")
    accessible(clerk)
    shot(clerk, "form-error")
    assert event_count(server) == before


def test_form_without_csrf_token_is_refused(server, drivers):
    clerk = drivers("clerk")
    sign_in(clerk, server, "clerk-wang")
    visit(clerk, server, "/entries/new")
    before = event_count(server)
    clerk.find_element(By.ID, "f-entry").send_keys("W8")
    clerk.find_element(By.ID, "f-case").send_keys("(2026)琼9030执W8号")
    clerk.find_element(By.ID, "f-debtor_name").send_keys("网某丁")
    clerk.find_element(By.ID, "f-debtor_id").send_keys("460030198001010121")
    # As a forged cross-site form would: the same fields without the token.
    clerk.execute_script("document.querySelector('form.card input[name=csrf]').remove();"
                         "document.querySelector('form.card input[name=step]').value = 'confirm';")
    submit(clerk, clerk.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
    assert "请求被拒绝" in clerk.title and "表单令牌" in clerk.page_source
    assert event_count(server) == before
