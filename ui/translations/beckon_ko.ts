<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR" sourcelanguage="en_GB">
<context>
    <name>Beckon</name>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="49" />
        <source>nod</source>
        <translation>끄덕임</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="51" />
        <source>head shake</source>
        <translation>고개 젓기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="57" />
        <source>Please look at the screen.</source>
        <translation>화면을 봐 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="59" />
        <source>Rest your head and look at the screen.</source>
        <translation>머리를 편히 두고 화면을 봐 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="61" />
        <source>Rest.</source>
        <translation>쉬세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="63" />
        <source>Thank you.</source>
        <translation>감사합니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="65" />
        <source>Nod gently, as if to say yes.</source>
        <translation>"네"라고 하듯이 천천히 고개를 끄덕여 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="67" />
        <source>Shake your head gently, as if to say no.</source>
        <translation>"아니요"라고 하듯이 천천히 고개를 저어 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="68" />
        <source>Now: {gesture}</source>
        <translation>지금: {gesture}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="73" />
        <source>Place the tablet 50 to 80 cm from the patient's face, at eye level, so that the camera sees the whole face. Press Start when the face is found.</source>
        <translation>태블릿을 환자 얼굴에서 50~80cm 떨어진 눈높이에 두어 카메라가 얼굴 전체를 보게 하세요. 얼굴이 인식되면 시작을 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="79" />
        <source>Recording the resting face: the patient stays still.</source>
        <translation>쉬는 얼굴을 기록하는 중입니다. 환자는 움직이지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="81" />
        <source>{gesture}: take {n} of {total}. Press Skip if the patient cannot do this movement.</source>
        <translation>{gesture}: {total}회 중 {n}회째. 환자가 이 동작을 할 수 없으면 건너뛰기를 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="129" />
        <location filename="../../src/beckon/ui/calibration.py" line="105" />
        <source>Calibration</source>
        <translation>보정</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="157" />
        <source>Start</source>
        <translation>시작</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="159" />
        <source>Skip this movement</source>
        <translation>이 동작 건너뛰기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="160" />
        <source>Start again</source>
        <translation>다시 시작</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="161" />
        <source>Save profile</source>
        <translation>프로필 저장</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="163" />
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="198" />
        <source>The camera does not see a face yet.</source>
        <translation>카메라가 아직 얼굴을 찾지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="219" />
        <source>Not saved: this profile leaves the patient no way to choose.</source>
        <translation>저장하지 않았습니다: 이 설정으로는 환자가 고를 방법이 없습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="260" />
        <source>Step {n} of {total}</source>
        <translation>{total}단계 중 {n}단계</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="279" />
        <source>Saved: {path}. The bedside uses it from its next start.</source>
        <translation>저장됨: {path}. 침상 화면을 다시 시작하면 적용됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="283" />
        <source>Calibration did not succeed. Press Start again.</source>
        <translation>보정에 실패했습니다. 다시 시작을 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="287" />
        <source>Measured movement: {list}</source>
        <translation>측정된 움직임: {list}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="290" />
        <source>Warning: {list} not seen, but kept on at the previous setting: it is the patient's only way to choose. Start again, or choose another gesture.</source>
        <translation>주의: {list} 동작이 보이지 않았지만 환자가 고를 수 있는 유일한 방법이라 이전 설정으로 켜 두었습니다. 다시 시작하거나 다른 동작을 고르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="298" />
        <source>Switched off (not seen): {list}</source>
        <translation>꺼짐 (인식되지 않음): {list}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="304" />
        <source>Skipped (previous setting kept): {list}</source>
        <translation>건너뜀 (이전 설정 유지): {list}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="308" />
        <source>Press Save profile to keep it.</source>
        <translation>유지하려면 프로필 저장을 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="30" />
        <source>Nod</source>
        <translation>고개를 끄덕이세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="31" />
        <source>Shake</source>
        <translation>고개를 저으세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="32" />
        <source>Close your eyes for a moment</source>
        <translation>잠시 눈을 감으세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="33" />
        <source>Raise your eyebrows</source>
        <translation>눈썹을 올리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="34" />
        <source>Open your mouth</source>
        <translation>입을 벌리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="35" />
        <source>Look up</source>
        <translation>위를 보세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="36" />
        <source>Look down</source>
        <translation>아래를 보세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="37" />
        <source>Tilt your head to your left</source>
        <translation>고개를 왼쪽으로 기울이세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="38" />
        <source>Tilt your head to your right</source>
        <translation>고개를 오른쪽으로 기울이세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="39" />
        <source>Turn your head to your left</source>
        <translation>고개를 왼쪽으로 돌리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="40" />
        <source>Turn your head to your right</source>
        <translation>고개를 오른쪽으로 돌리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="74" />
        <source>Nod for yes, shake your head for no.</source>
        <translation>"네"는 끄덕이고, "아니요"는 고개를 저으세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="75" />
        <source>{yes} for yes. {no} for no.</source>
        <translation>"네"라면 {yes}. "아니요"라면 {no}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="84" />
        <source>Nod or say yes.</source>
        <translation>끄덕이거나 "네"라고 말하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="85" />
        <source>{gesture} or say yes.</source>
        <translation>{gesture}. 또는 "네"라고 말하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1085" />
        <location filename="../../src/beckon/ui/strings.py" line="488" />
        <location filename="../../src/beckon/ui/strings.py" line="480" />
        <location filename="../../src/beckon/ui/strings.py" line="92" />
        <source>{intent}?</source>
        <translation>{intent}?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="486" />
        <location filename="../../src/beckon/ui/strings.py" line="93" />
        <source>Send {intent}?</source>
        <translation>{intent} 요청을 보낼까요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="102" />
        <source>Chosen. Get ready…</source>
        <translation>골랐습니다. 준비하세요…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="103" />
        <source>{question} One moment…</source>
        <translation>{question} 잠시만요…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="114" />
        <source>Too soon. To cancel it, wait for the instruction.</source>
        <translation>너무 빨랐습니다. 취소하려면 안내가 나올 때까지 기다려 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="115" />
        <source>Too soon. To send it, wait for the instruction.</source>
        <translation>너무 빨랐습니다. 보내려면 안내가 나올 때까지 기다려 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="121" />
        <source>Not sent: {intent}.</source>
        <translation>보내지 않음: {intent}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="129" />
        <source>Not sent yet: {intent}.</source>
        <translation>아직 보내지 않았습니다: {intent}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="137" />
        <source>Too soon: nothing was cancelled.</source>
        <translation>너무 빨랐습니다: 취소하지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="138" />
        <source>Too soon: nothing was sent.</source>
        <translation>너무 빨랐습니다: 보내지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="152" />
        <source>{gesture} to cancel your request.</source>
        <translation>요청을 취소하려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="153" />
        <source>{gesture} to keep it.</source>
        <translation>그대로 두려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="155" />
        <source>{gesture} to send it.</source>
        <translation>보내려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="156" />
        <source>{gesture} to cancel.</source>
        <translation>취소하려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="160" />
        <source>Or wait to keep it.</source>
        <translation>또는 기다리면 그대로 둡니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="162" />
        <source>Or wait to cancel.</source>
        <translation>또는 기다리면 취소됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="182" />
        <source>How strong, 0 to 10? {gesture} at {level}.</source>
        <translation>얼마나 심한가요? 0부터 10까지, {level}에서: {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="187" />
        <source>{gesture} to choose.</source>
        <translation>고르려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="189" />
        <source>{gesture} for the next one.</source>
        <translation>다음으로 넘기려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="193" />
        <source>Request chosen. One moment…</source>
        <translation>요청을 골랐습니다. 잠시만요…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="199" />
        <source>{move} to move. {gesture} to choose.</source>
        <translation>움직이려면 {move}. 고르려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="202" />
        <source>Turn your head to move. {gesture} to choose.</source>
        <translation>고개를 돌려 움직이세요. 고르려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="206" />
        <source>Please answer the nurse's question.</source>
        <translation>간호사의 질문에 답해 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="208" />
        <source>Resting: nothing is offered. {gesture} to wake the menu.</source>
        <translation>쉬는 중: 아무것도 제안하지 않습니다. 메뉴를 깨우려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="211" />
        <source>Please wait…</source>
        <translation>잠시 기다려 주세요…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="217" />
        <source>You already asked for {intent}. It is still open.</source>
        <translation>{intent}: 이미 요청하셨습니다. 아직 처리 중입니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="226" />
        <source>Cancel “{intent}”</source>
        <translation>{intent} 요청 취소</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="231" />
        <source>Cancel “{intent}”?</source>
        <translation>“{intent}” 요청을 취소할까요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="236" />
        <source>Not cancelled: {intent} stays.</source>
        <translation>취소하지 않았습니다: {intent} 요청은 그대로입니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="241" />
        <source>Cancelling your request: {intent}.</source>
        <translation>요청을 취소합니다: {intent}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="247" />
        <source>Chosen: {instruction}</source>
        <translation>선택됨: {instruction}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="250" />
        <source>Offered now: {gesture} to choose</source>
        <translation>지금 제안 중: 고르려면 {gesture}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="258" />
        <source>{step}: done</source>
        <translation>{step}: 완료</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="259" />
        <source>{step}: not yet</source>
        <translation>{step}: 아직</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="264" />
        <source>Scan: {s} s</source>
        <translation>넘김 간격: {s}초</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="269" />
        <source>Nurse in room</source>
        <translation>간호사 입실</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="274" />
        <source>Clear emergency</source>
        <translation>응급 호출 해제</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="279" />
        <source>Patient repositioned: learn the rest again</source>
        <translation>환자 자세 변경: 쉬는 자세 다시 익히기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="285" />
        <source>Learning the resting position again: look at the screen.</source>
        <translation>쉬는 자세를 다시 익히는 중입니다: 화면을 보세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="294" />
        <source>Pause: {s} s</source>
        <translation>선택 후 쉼: {s}초</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="299" />
        <source>Rest (pause the menu)</source>
        <translation>쉬기 (메뉴 멈춤)</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="305" />
        <source>Not connected. Your request is saved and will be sent.</source>
        <translation>연결되지 않았습니다. 요청은 저장되었고 곧 전송됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="307" />
        <source>Sending your request…</source>
        <translation>요청을 보내는 중…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="309" />
        <source>The nurse station is not answering. Your request will reach it when it is back.</source>
        <translation>간호사실이 응답하지 않습니다. 다시 연결되면 요청이 전달됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="524" />
        <location filename="../../src/beckon/ui/strings.py" line="314" />
        <source>The nurses have your request.</source>
        <translation>간호사실에서 요청을 받았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="317" />
        <source>{nurse} is coming.</source>
        <translation>{nurse} 님이 오고 있습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="318" />
        <source>A nurse is coming.</source>
        <translation>간호사가 오고 있습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="320" />
        <source>Done.</source>
        <translation>완료되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="322" />
        <source>Cancelled.</source>
        <translation>취소되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="328" />
        <source>{time}  {request}: {state}</source>
        <translation>{time}  {request}: {state}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="336" />
        <source>Saved on this tablet</source>
        <translation>이 태블릿에 저장됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="338" />
        <source>Sent</source>
        <translation>전송됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="340" />
        <source>Received by the nurses' station</source>
        <translation>간호사실에서 받음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="557" />
        <location filename="../../src/beckon/ui/strings.py" line="343" />
        <source>Acknowledged by {nurse}</source>
        <translation>{nurse} 님이 확인함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="344" />
        <source>Acknowledged by a nurse</source>
        <translation>간호사가 확인함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="346" />
        <source>Resolved</source>
        <translation>해결됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="348" />
        <source>Cancelled</source>
        <translation>취소됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="354" />
        <source>Camera on</source>
        <translation>카메라 켜짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="356" />
        <source>Camera starting</source>
        <translation>카메라 시작 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="358" />
        <source>Camera slow ({fps} frames/s)</source>
        <translation>카메라 느림 (초당 {fps}프레임)</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="360" />
        <source>Camera not working</source>
        <translation>카메라 작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="361" />
        <source>Camera off</source>
        <translation>카메라 꺼짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="366" />
        <source>Face found</source>
        <translation>얼굴 인식됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="368" />
        <source>Face found, hold still</source>
        <translation>얼굴 인식됨, 움직이지 마세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="369" />
        <source>Face not found</source>
        <translation>얼굴을 찾을 수 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="375" />
        <source>Move the tablet closer to the face</source>
        <translation>태블릿을 얼굴에 더 가까이 옮기세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="377" />
        <source>Turn the face toward the screen</source>
        <translation>얼굴을 화면 쪽으로 돌리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="379" />
        <source>Bring the whole face into the picture</source>
        <translation>얼굴 전체가 화면에 보이게 하세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="381" />
        <source>Too dark to see the face: turn on a light or uncover the camera</source>
        <translation>너무 어두워 얼굴이 보이지 않습니다: 불을 켜거나 카메라 가림을 치우세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="385" />
        <source>Too bright: turn the tablet away from the window or lamp</source>
        <translation>너무 밝습니다: 태블릿을 창문이나 조명 반대쪽으로 돌리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="390" />
        <source>Only nods and shakes work</source>
        <translation>끄덕임과 고개 젓기만 됩니다</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="403" />
        <source>Turn back to where you were resting to use head movements; nods and shakes still work.</source>
        <translation>머리 동작을 쓰려면 쉬던 자세로 돌아오세요. 끄덕임과 고개 젓기는 지금도 됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="411" />
        <source>Staff: if the patient was moved, choose “Patient repositioned” in the staff menu.</source>
        <translation>직원: 환자 자세를 바꿨다면 직원 메뉴에서 “환자 자세 변경”을 고르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="424" />
        <source>Listening</source>
        <translation>듣는 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="426" />
        <source>Heard: {text}</source>
        <translation>들은 말: {text}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="428" />
        <source>Microphone starting</source>
        <translation>마이크 시작 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="430" />
        <source>Microphone not working</source>
        <translation>마이크 작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="432" />
        <source>Speech recognition not working</source>
        <translation>음성 인식 작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="433" />
        <source>Microphone off</source>
        <translation>마이크 꺼짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="438" />
        <source>This tablet cannot call the nurses. Please tell a nurse; staff: call IT.</source>
        <translation>이 태블릿으로는 간호사를 부를 수 없습니다. 간호사에게 직접 알려 주세요. 직원: 전산실에 연락하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="446" />
        <source>Connected</source>
        <translation>연결됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="448" />
        <source>Connecting…</source>
        <translation>연결 중…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="449" />
        <source>Not connected</source>
        <translation>연결 안 됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="457" />
        <source>Station: unknown</source>
        <translation>간호사실: 알 수 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="459" />
        <source>Station online</source>
        <translation>간호사실 연결됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="461" />
        <source>Station: waiting</source>
        <translation>간호사실: 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="462" />
        <source>Station offline</source>
        <translation>간호사실 연결 끊김</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="467" />
        <source>{action}: {bed}, {request}</source>
        <translation>{action}: {bed}, {request}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="473" />
        <source>Bed {bed}</source>
        <translation>{bed}번 침대</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="482" />
        <source>Send {intent}? {gesture} to send it.</source>
        <translation>{intent} 요청을 보낼까요? 보내려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="490" />
        <source>{entry}? {gesture} to cancel it.</source>
        <translation>{entry}? 취소하려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="498" />
        <source>How strong, from 0 to 10? 0?</source>
        <translation>얼마나 심한가요? 0부터 10까지. 0?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="500" />
        <source>{level}?</source>
        <translation>{level}?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="502" />
        <source>Resting. {gesture} to wake the menu.</source>
        <translation>쉬는 중입니다. 메뉴를 깨우려면 {gesture}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="506" />
        <source>{phrase} Your request is saved.</source>
        <translation>{phrase} 요청이 저장되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="512" />
        <source>Not sent: {intent}. Choose it again if you need it.</source>
        <translation>보내지 않았습니다: {intent}. 필요하면 다시 고르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="517" />
        <source>{question} Nod for yes, shake for no.</source>
        <translation>{question} "네"는 끄덕이고, "아니요"는 고개를 저으세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="520" />
        <source>{question} {yes} for yes. {no} for no.</source>
        <translation>{question} "네"라면 {yes}. "아니요"라면 {no}.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="528" />
        <source>Your request is done.</source>
        <translation>요청이 완료되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="530" />
        <source>Your request is cancelled.</source>
        <translation>요청이 취소되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="534" />
        <source>You answered yes.</source>
        <translation>"네"라고 답했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="536" />
        <source>You answered no.</source>
        <translation>"아니요"라고 답했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="546" />
        <source>{what}: already acknowledged by {nurse}.</source>
        <translation>{what}: {nurse} 님이 이미 확인했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="548" />
        <source>{what}: the patient cancelled it first.</source>
        <translation>{what}: 환자가 먼저 취소했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="550" />
        <source>{what}: already resolved by {nurse}.</source>
        <translation>{what}: {nurse} 님이 이미 완료했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="558" />
        <source>Acknowledged</source>
        <translation>확인됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="560" />
        <source>Waiting for a nurse</source>
        <translation>간호사를 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="566" />
        <source>Emergency</source>
        <translation>응급</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="568" />
        <source>Urgent</source>
        <translation>긴급</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="569" />
        <source>Routine</source>
        <translation>일반</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="577" />
        <source>Reminder: still open</source>
        <translation>알림: 아직 처리 안 됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="581" />
        <source>Overdue (level 1): not acknowledged in time</source>
        <translation>지연 (1단계): 제때 확인되지 않았습니다</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="583" />
        <source>Overdue (level 2): tell the charge nurse</source>
        <translation>지연 (2단계): 책임 간호사에게 알리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="584" />
        <source>Overdue (level 3): call the whole unit</source>
        <translation>지연 (3단계): 병동 전체에 알리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="589" />
        <source>Clear at the bedside</source>
        <translation>병상에서 해제</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="596" />
        <source>bed {bed}</source>
        <translation>{bed}번 침대</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="597" />
        <source>Nurse in room: {beds}</source>
        <translation>간호사 입실: {beds}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="602" />
        <source>New request: bed {bed}, {intent}</source>
        <translation>새 요청: {bed}번 침대, {intent}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="606" />
        <source>Still waiting: bed {bed}, {intent}</source>
        <translation>아직 대기 중: {bed}번 침대, {intent}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="610" />
        <source>Device fault: bed {bed} is offline</source>
        <translation>기기 고장: {bed}번 침대 연결 끊김</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="612" />
        <source>Bed {bed} answered {answer}</source>
        <translation>{bed}번 침대의 대답: {answer}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="620" />
        <source>YES</source>
        <translation>네</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="622" />
        <source>NO</source>
        <translation>아니요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="624" />
        <source>no answer</source>
        <translation>대답 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="625" />
        <source>waiting…</source>
        <translation>기다리는 중…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="631" />
        <source>asked {asked}, answered {answered}</source>
        <translation>{asked}에 질문, {answered}에 대답</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="634" />
        <source>asked {asked}</source>
        <translation>{asked}에 질문</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="639" />
        <source>by head gesture</source>
        <translation>고갯짓으로</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="641" />
        <source>by voice</source>
        <translation>음성으로</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="643" />
        <source>by touch</source>
        <translation>터치로</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="649" />
        <source>Are you in pain?</source>
        <translation>아프세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="650" />
        <source>Are you thirsty?</source>
        <translation>목마르세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="651" />
        <source>Are you comfortable?</source>
        <translation>편안하세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="652" />
        <source>Do you want to sleep?</source>
        <translation>주무시고 싶으세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="653" />
        <source>Are you cold?</source>
        <translation>추우세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="660" />
        <source>NOT CONNECTED: calls from the beds cannot reach this screen. Check the beds in person and call IT.</source>
        <translation>연결 끊김: 침대의 호출이 이 화면에 오지 못합니다. 침대를 직접 확인하고 전산실에 연락하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="666" />
        <source>STATION SERVICE DOWN: new calls are not being received. Check the beds in person and call IT.</source>
        <translation>간호사실 서비스 중단: 새 호출을 받지 못하고 있습니다. 침대를 직접 확인하고 전산실에 연락하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="672" />
        <source>No sound device: alarms are silent. Watch this screen.</source>
        <translation>소리 장치 없음: 알람이 울리지 않습니다. 이 화면을 지켜봐 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="679" />
        <source>Calls cannot reach the nurses right now. If you need help, call out or ask a visitor to get a nurse.</source>
        <translation>지금은 호출이 간호사에게 전달되지 않습니다. 도움이 필요하면 소리 내어 부르거나 방문객에게 간호사를 불러 달라고 하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="685" />
        <source>Your request has not reached the nurses yet. If you need help, call out or ask a visitor to get a nurse.</source>
        <translation>요청이 아직 간호사에게 전달되지 않았습니다. 도움이 필요하면 소리 내어 부르거나 방문객에게 간호사를 불러 달라고 하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="691" />
        <source>No sound device: spoken prompts and alarms are silent.</source>
        <translation>소리 장치 없음: 음성 안내와 알람이 나오지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="698" />
        <source>{wait}: {intent} at {time}</source>
        <translation>{wait}: {time} {intent}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="701" />
        <source>{wait}: {intent} at {time}, NO NURSE ANSWERED</source>
        <translation>{wait}: {time} {intent}, 응답한 간호사 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="712" />
        <source>{n} waiting</source>
        <translation>간호사 대기 {n}건</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="714" />
        <source>{n} overdue</source>
        <translation>지연 {n}건</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="717" />
        <source>device faults at {n} bed(s): see below</source>
        <translation>기기 이상 침대 {n}개: 아래를 보세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="570" />
        <location filename="../../src/beckon/ui/strings.py" line="719" />
        <source>No alerts</source>
        <translation>알림 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="725" />
        <source>camera off</source>
        <translation>카메라 꺼짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="726" />
        <source>camera not working</source>
        <translation>카메라 작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="727" />
        <source>face not found</source>
        <translation>얼굴이 보이지 않음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="728" />
        <source>face too small or turned away: move the tablet</source>
        <translation>얼굴이 너무 작거나 돌아가 있음: 태블릿을 옮기세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="729" />
        <source>too dark to see the patient: turn on a light</source>
        <translation>너무 어두워 환자가 보이지 않음: 불을 켜세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="730" />
        <source>picture washed out: turn the tablet from the light</source>
        <translation>화면이 너무 밝음: 태블릿을 조명 반대쪽으로 돌리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="731" />
        <source>microphone not working</source>
        <translation>마이크 작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="732" />
        <source>speech recognition not working: call IT</source>
        <translation>음성 인식 작동 안 함: 전산실에 연락하세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="733" />
        <source>no sound: prompts and alarms are silent</source>
        <translation>소리 없음: 안내와 알람이 나오지 않음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="734" />
        <source>configuration problem: call IT</source>
        <translation>설정 문제: 전산실에 연락하세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="735" />
        <source>clock wrong by minutes or more: set the time</source>
        <translation>시계가 몇 분 이상 틀림: 시간을 맞추세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="736" />
        <source>storage full or failing: calls are not kept if they do not get through</source>
        <translation>저장 공간이 가득 차거나 고장남: 전달되지 않은 호출은 보관되지 않음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="739" />
        <source>calls from this bed are not reaching the station: check the bed, call IT</source>
        <translation>이 침대의 호출이 간호사실에 도착하지 않음: 침대를 확인하고 전산실에 연락하세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="743" />
        <source>Bed {bed}: {faults}</source>
        <translation>{bed}번 침대: {faults}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="633" />
        <location filename="../../src/beckon/ui/strings.py" line="751" />
        <source>Bed</source>
        <translation>침대</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="752" />
        <source>Tablet</source>
        <translation>태블릿</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="753" />
        <source>Camera</source>
        <translation>카메라</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="754" />
        <source>Face</source>
        <translation>얼굴</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="755" />
        <source>Microphone</source>
        <translation>마이크</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="756" />
        <source>Speech</source>
        <translation>음성 인식</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="757" />
        <source>Calls to station</source>
        <translation>간호사실로 호출</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="758" />
        <source>Version</source>
        <translation>버전</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="766" />
        <source>OK</source>
        <translation>정상</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="768" />
        <source>online</source>
        <translation>연결됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="769" />
        <source>OFFLINE</source>
        <translation>연결 끊김</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="780" />
        <location filename="../../src/beckon/ui/strings.py" line="770" />
        <source>off</source>
        <translation>꺼짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="778" />
        <location filename="../../src/beckon/ui/strings.py" line="777" />
        <location filename="../../src/beckon/ui/strings.py" line="771" />
        <source>not working</source>
        <translation>작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="772" />
        <source>not found</source>
        <translation>보이지 않음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="773" />
        <source>poor view</source>
        <translation>잘 안 보임</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="774" />
        <source>too dark</source>
        <translation>너무 어두움</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="775" />
        <source>too bright</source>
        <translation>너무 밝음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="776" />
        <source>turned from rest</source>
        <translation>자세 벗어남</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="779" />
        <source>starting</source>
        <translation>시작 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="783" />
        <source>{n} sending</source>
        <translation>{n}건 보내는 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="785" />
        <source>{n} NOT ARRIVING ({age})</source>
        <translation>{n}건 도착 안 함 ({age})</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="203" />
        <source>Your earlier messages</source>
        <translation>이전 요청</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="225" />
        <source>Cancel this request</source>
        <translation>이 요청 취소</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="260" />
        <source>Your requests show here.</source>
        <translation>요청하신 내용이 여기에 표시됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="271" />
        <source>Asked at {time}</source>
        <translation>{time}에 요청함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="543" />
        <source>Staff</source>
        <translation>직원</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="545" />
        <source>Staff: hold 3 seconds for the staff menu.</source>
        <translation>직원: 직원 메뉴를 열려면 3초 동안 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="650" />
        <source>Show camera</source>
        <translation>카메라 보기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="654" />
        <source>Calibrate</source>
        <translation>보정</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="668" />
        <source>Exit</source>
        <translation>종료</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="670" />
        <source>Close the bedside (under the kiosk service it starts again).</source>
        <translation>침상 화면을 닫습니다 (키오스크 서비스에서는 다시 시작됩니다).</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="895" />
        <location filename="../../src/beckon/ui/bedside_window.py" line="852" />
        <source>Yes</source>
        <translation>네</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="896" />
        <location filename="../../src/beckon/ui/bedside_window.py" line="853" />
        <source>No</source>
        <translation>아니요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1043" />
        <source>a nurse</source>
        <translation>간호사</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1044" />
        <source>{nurse} asks:</source>
        <translation>{nurse} 님의 질문:</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1088" />
        <source>{intent}: sending now unless you say no.</source>
        <translation>{intent}: "아니요"라고 하지 않으면 지금 보냅니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1092" />
        <source>Did you ask for: {intent}?</source>
        <translation>요청: {intent}. 맞나요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1110" />
        <source>Not sent: {intent}. Say it again if you need it.</source>
        <translation>보내지 않음: {intent}. 필요하면 다시 말씀하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1140" />
        <source>Send “{intent}”?</source>
        <translation>“{intent}” 요청을 보낼까요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1158" />
        <source>Touch Yes or No.</source>
        <translation>네 또는 아니요를 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1694" />
        <source>No picture</source>
        <translation>화면 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="1724" />
        <source>The bedside service stopped: call IT.</source>
        <translation>침상 서비스가 멈췄습니다. 전산실에 연락하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1356" />
        <location filename="../../src/beckon/ui/station_window.py" line="190" />
        <source>Acknowledge</source>
        <translation>확인</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1358" />
        <location filename="../../src/beckon/ui/station_window.py" line="327" />
        <location filename="../../src/beckon/ui/station_window.py" line="246" />
        <location filename="../../src/beckon/ui/station_window.py" line="191" />
        <source>Resolve</source>
        <translation>해결</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="520" />
        <source>Unit {unit}</source>
        <translation>{unit} 병동</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="530" />
        <source>Your name:</source>
        <translation>이름:</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="533" />
        <source>Nurse name</source>
        <translation>간호사 이름</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="535" />
        <source>Your name</source>
        <translation>이름</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="584" />
        <source>Requests</source>
        <translation>요청</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="585" />
        <source>History</source>
        <translation>기록</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="586" />
        <source>Beds</source>
        <translation>침대</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="612" />
        <source>No open requests.</source>
        <translation>열린 요청이 없습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="628" />
        <source>Ask a bed a yes/no question</source>
        <translation>침대에 예/아니요 질문하기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="651" />
        <source>Ask</source>
        <translation>질문하기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="661" />
        <source>Recent questions</source>
        <translation>최근 질문</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="740" />
        <source>Questions</source>
        <translation>질문</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="836" />
        <source>Time to a nurse's answer, per request type (last 24 h): 9 of 10 calls were answered within the bar (90th percentile)</source>
        <translation>요청 종류별 간호사 응답 시간 (최근 24시간): 호출 10건 중 9건이 막대 안의 시간에 응답받음 (90번째 백분위수)</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="848" />
        <source>Time to a nurse's answer, per hour (90th percentile)</source>
        <translation>시간대별 간호사 응답 시간 (90번째 백분위수)</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="858" />
        <source>Slowest calls (last 24 h)</source>
        <translation>가장 오래 기다린 호출 (최근 24시간)</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1263" />
        <location filename="../../src/beckon/ui/station_window.py" line="870" />
        <source>No requests in the last 24 hours.</source>
        <translation>최근 24시간 동안 요청이 없습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="887" />
        <source>No bed has reported yet.</source>
        <translation>아직 상태를 보낸 침대가 없습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="959" />
        <source>{what}: {value}</source>
        <translation>{what}: {value}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1066" />
        <source>Not connected: the action is queued and will be sent when the connection is back. Keep this window open.</source>
        <translation>연결 안 됨: 작업이 대기 중이며 연결이 돌아오면 보냅니다. 이 창을 닫지 마세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1071" />
        <source>Not connected: the action was not sent.</source>
        <translation>연결 안 됨: 작업이 전송되지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1082" />
        <source>Choose a bed and a question.</source>
        <translation>침대와 질문을 고르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1089" />
        <source>No tablet at bed {bed} on this unit: check the number.</source>
        <translation>이 병동의 {bed}번 침대에는 태블릿이 없습니다: 번호를 확인하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1099" />
        <source>Not connected: the question is queued and will be asked when the connection is back.</source>
        <translation>연결 안 됨: 질문이 대기 중이며 연결이 돌아오면 전달됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1104" />
        <source>Not connected: the question was not sent.</source>
        <translation>연결 안 됨: 질문이 전송되지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1112" />
        <source>Enter your name first.</source>
        <translation>먼저 이름을 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1206" />
        <source>{n} more beds have device faults: see the Beds tab.</source>
        <translation>장치 고장 병상 {n}개 더: 병상 탭을 보세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1267" />
        <source>{n} requests in the last {h} hours</source>
        <translation>최근 {h}시간 동안 요청 {n}건</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="1361" />
        <source>{action} for {what} did not arrive: press it again.</source>
        <translation>{what}의 {action} 요청이 전달되지 않았습니다. 다시 누르세요.</translation>
    </message>
</context></TS>
